/** One `gatehouse` subcommand: its own file under commands/, loaded only when run. */
export interface Command {
  /** e.g. "serve", or "user create" */
  name: string;
  summary: string;
  usage: string;
  /** Resolves with the exit code once the command is done (a server resolves when it stops). */
  run(argv: string[]): Promise<number>;
}
