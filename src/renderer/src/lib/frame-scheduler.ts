/** The event queue's clock: the next animation frame, or a slower timer while the page is hidden (no frames then). */
export function nextFrame(run: () => void): void {
  if (document.hidden) setTimeout(run, 200);
  else requestAnimationFrame(() => run());
}
