/**
 * Exit codes of the `likeness` CLI, and the error type that carries one.
 * Every failure the user can fix ends with a one-line message on stderr and
 * one of these codes; anything else is a bug (code 1, with the stack).
 */
export const EXIT = {
  /** Success (for `verify`, whatever the verdict; read stdout or `--json`). */
  ok: 0,
  /** An unexpected error (a bug): the stack is printed. */
  unexpected: 1,
  /** Bad command line: unknown command or option, missing argument. */
  usage: 2,
  /** An input file is missing, unreadable or not an image. */
  badInput: 3,
  /** No face was found where one is needed. */
  noFace: 4,
  /** The requested backend cannot run here. */
  backend: 5,
  /** The gallery file is unusable (corrupt, wrong version, empty). */
  gallery: 6,
  /** An output (`-o`, `-g`, `--save_iter` images) cannot be written: checked before any work; at the end, the result goes to a named fallback file. */
  output: 7,
  /** The gallery file stayed locked by another `likeness` process past the bounded wait. */
  busy: 8,
  /** Cancelled by the user (Ctrl-C / SIGINT); nothing was written. 128 + SIGINT's number, as shells report it. */
  cancelled: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the user can fix: printed as `likeness: <message>` and exits with `exitCode`. */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}
