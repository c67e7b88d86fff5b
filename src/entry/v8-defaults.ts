/** A V8 flag the Node entry sets unless the operator's own Node options already mention it. */
interface V8Default {
  flag: string;
  /** Matches the operator's options when they set this (either way): theirs wins. */
  operator: RegExp;
}

const DEFAULTS: readonly V8Default[] = [
  // undici parses HTTP with llhttp built to WebAssembly. V8 compiles it with its baseline compiler (Liftoff),
  // and by default hot functions again with TurboFan, whose compile takes up to 36 MB from the C allocator for
  // a moment; in about half of all starts some of it stays resident (RSS after the first requests 54 or 64 MB,
  // once 90), whether TurboFan runs on a background thread or up front (--no-liftoff). Liftoff alone: 55 MB in
  // 24 of 24 starts, and the same CPU per proxied request in two interleaved A/Bs (Node 20). Nothing else in
  // the gateway is WebAssembly.
  { flag: '--liftoff-only', operator: /--(?:no-)?liftoff/ },
  // A burst of 500 new streams promotes ~9 MB to the old generation (what the open streams keep), garbage a
  // second later, and V8 lets the old generation grow up to 4x its live size before a full collection when
  // the heap's maximum is large (as on a 24 GB machine): peak RSS then climbed 30 MB over five bursts in 3 of
  // 14 `npm run bench` runs (1.28-1.35x the bare proxy's). Grown by at most 50% (read each time V8 sets the
  // next limit), it is collected after every burst: peak RSS 1.00-1.05x in three runs interleaved with three
  // without (0.98, 0.98, 1.28x), for 5-10% more CPU per burst of streams.
  { flag: '--heap-growing-percent=50', operator: /--heap[-_]growing[-_]percent/ },
];

/**
 * The V8 flags the Node entry sets at start (with `v8.setFlagsFromString`, before anything they affect runs,
 * so that `node dist/gateway.mjs` needs none), leaving out any the operator's own Node options set.
 *
 * The young generation is left as V8 sizes and collects it (up to 2 x 16 MB, collected in parallel). Capping
 * it at 2 x 8 MB and collecting it on the main thread alone, as this entry once did, made each burst of 500
 * new streams spend ~60 ms in collection pauses instead of ~35 (the bare proxy: ~25), which the first chunk
 * of every stream in the burst waited out: chunk delay p99 0.97-1.77x the bare proxy's (3 of 6 runs over 1.5x)
 * against 0.90-1.49x in six runs interleaved with them.
 *
 * @example
 * for (const flag of v8Defaults(`${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`)) {
 *   setFlagsFromString(flag);
 * }
 * v8Defaults('--no-liftoff'); // ['--heap-growing-percent=50']
 */
export function v8Defaults(operatorOptions: string): string[] {
  return DEFAULTS.filter(({ operator }) => !operator.test(operatorOptions)).map(({ flag }) => flag);
}
