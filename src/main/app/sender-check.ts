/**
 * Which IPC senders may call the engine: only our window's top frame showing our own
 * renderer page. Kept free of Electron so it can be tested in Node.
 */
export interface SenderFacts {
  /** The message came from our window's webContents. */
  fromOurWindow: boolean;
  /** The sending frame is that window's main (top) frame, not an iframe. */
  fromMainFrame: boolean;
  /** The sending frame's URL. */
  frameUrl: string;
}

/** `rendererUrl` is the file:// URL of our index.html; any query or hash after it is ours too. */
export function isTrustedSender(facts: SenderFacts, rendererUrl: string): boolean {
  if (!facts.fromOurWindow || !facts.fromMainFrame) return false;
  const rest = facts.frameUrl.slice(rendererUrl.length);
  return facts.frameUrl.startsWith(rendererUrl) && (rest === '' || rest.startsWith('?') || rest.startsWith('#'));
}
