/** A modal confirmation on the native <dialog>: focus is trapped, Escape cancels. */
import { useEffect, useRef } from 'react';
import { Button } from './controls';

export function ConfirmDialog(props: { title: string; body: string; confirm: string; onConfirm: () => void; onCancel: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog ref={ref} className="dialog" onCancel={props.onCancel} aria-labelledby="confirm-title">
      <h2 id="confirm-title">{props.title}</h2>
      <p>{props.body}</p>
      <div className="dialog-actions">
        <Button onClick={props.onCancel}>Cancel</Button>
        <Button kind="danger" onClick={props.onConfirm} testId="confirm">
          {props.confirm}
        </Button>
      </div>
    </dialog>
  );
}
