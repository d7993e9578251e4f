import { withService, type OpenOptions, type OpenService } from '../../src/app/open.js';
import type { Service } from '../../src/app/service.js';

/** An open service held open across tests, as a long-running process holds it: closed by `close`. */
export async function holdOpen(service: Service, options: OpenOptions = {}): Promise<{ open: OpenService; close(): Promise<void> }> {
  let release!: () => void;
  let opened!: (open: OpenService) => void;
  const ready = new Promise<OpenService>((resolve) => (opened = resolve));
  const done = withService(
    service,
    (open) => {
      opened(open);
      return new Promise<void>((resolve) => (release = resolve));
    },
    options,
  );
  const open = await Promise.race([ready, done.then(() => Promise.reject(new Error('the service closed before it opened')))]);
  return {
    open,
    close: async () => {
      release();
      await done;
    },
  };
}
