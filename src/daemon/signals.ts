/** Resolves with the signal's name on the first SIGINT or SIGTERM; a second one exits at once. */
export function untilStopped(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      // A second signal while shutting down: the operator wants out now.
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/**
 * Calls `reload` on every SIGHUP, one at a time (a SIGHUP during a reload waits for it). The
 * returned function stops listening, and resolves once a reload under way has ended.
 */
export function onReload(reload: () => Promise<void>): () => Promise<void> {
  let reloading = Promise.resolve();
  const hup = () => {
    reloading = reloading.then(reload, reload);
  };
  process.on('SIGHUP', hup);
  return () => {
    process.off('SIGHUP', hup);
    return reloading;
  };
}
