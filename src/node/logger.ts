// The service's log: time, level, message and fields on every line, through pino (JSON, one
// object a line) or pino-pretty (text, for a terminal). Modules get a child logger carrying
// `module` (shown as a `[module]` prefix in text). `lineLogger` keeps the older `(line) => void`
// callers (tests, embedders) working: each record becomes one `[module] message` line.
import { pino, type DestinationStream } from 'pino';
import pretty from 'pino-pretty';
import type { LogLevelSetting } from '../site/config.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  log(level: LogLevel, message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** The same log with `module` on every record. */
  child(module: string): Logger;
  isLevelEnabled(level: LogLevel): boolean;
}

/** A log line function that may say how serious the line is (info when it does not). */
export type LogLine = (line: string, level?: LogLevel) => void;

/**
 * Fields of the access log (http-server.ts's records): in text, the message already says all of them,
 * so they are not repeated after it.
 */
export const ACCESS_FIELDS = ['method', 'path', 'status', 'bytes', 'ms', 'encoding', 'notModified', 'client', 'route', 'aborted'] as const;

export interface LoggerOptions {
  level: LogLevelSetting;
  /** `auto`: text when the destination is a terminal, JSON otherwise. */
  format: 'auto' | 'text' | 'json';
  /** Where lines go (default stdout); a stream for tests. */
  stream?: DestinationStream;
}

/** The process's logger. Writes synchronously: nothing is lost when the process exits right after. */
export function createLogger({ level, format, stream }: LoggerOptions): Logger {
  const tty = stream === undefined && process.stdout.isTTY === true;
  const text = format === 'text' || (format === 'auto' && tty);
  const destination: DestinationStream = text
    ? pretty({
        destination: stream ?? 1,
        sync: true,
        colorize: tty,
        translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
        messageFormat: '{if module}[{module}] {end}{msg}',
        ignore: ['module', ...ACCESS_FIELDS].join(','),
        singleLine: true,
      })
    : (stream ?? pino.destination({ dest: 1, sync: true }));
  const root = pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  return fromPino(root);
}

function fromPino(target: pino.Logger): Logger {
  const log = (level: LogLevel, message: string, fields?: LogFields) => {
    if (fields === undefined) target[level](message);
    else target[level](fields, message);
  };
  return {
    log,
    debug: (message, fields) => log('debug', message, fields),
    info: (message, fields) => log('info', message, fields),
    warn: (message, fields) => log('warn', message, fields),
    error: (message, fields) => log('error', message, fields),
    child: (module) => fromPino(target.child({ module })),
    isLevelEnabled: (level) => target.isLevelEnabled(level),
  };
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * A logger over a line function: `[module] message` per record at `level` or above (default
 * info); fields are left out (the messages carry what a reader needs).
 */
export function lineLogger(write: (line: string) => void, level: LogLevel = 'info', module?: string): Logger {
  const log = (at: LogLevel, message: string) => {
    if (RANK[at] >= RANK[level]) write(module ? `[${module}] ${message}` : message);
  };
  return {
    log,
    debug: (message) => log('debug', message),
    info: (message) => log('info', message),
    warn: (message) => log('warn', message),
    error: (message) => log('error', message),
    child: (name) => lineLogger(write, level, name),
    isLevelEnabled: (at) => RANK[at] >= RANK[level],
  };
}

/** `logger` as a line function, for modules that take one. */
export function lineOf(logger: Logger): LogLine {
  return (line, level = 'info') => logger.log(level, line);
}
