/**
 * Lets the event loop run once (timers, I/O, a browser's rendering and input)
 * before the next long synchronous stretch of training.
 *
 * A training step or fine-tuning epoch on the cpu or wasm backend is one
 * synchronous block of kernels; `await tensor.data()` on those backends
 * resolves as a microtask and lets nothing else run. Without a macrotask
 * between them a page freezes for the whole run and a Node process cannot
 * answer its timers or sockets. `setImmediate` in Node, a `MessageChannel`
 * message in browsers (not clamped to 4 ms like a nested `setTimeout(0)`),
 * `setTimeout(0)` where neither exists.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof setImmediate === 'function') {
      setImmediate(resolve);
    } else if (typeof MessageChannel === 'function') {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => { channel.port1.close(); resolve(); };
      channel.port2.postMessage(null);
    } else {
      setTimeout(resolve, 0);
    }
  });
}
