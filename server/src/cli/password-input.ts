import type { ReadStream } from 'node:tty';
import { CliError } from './run';

/** The whole of a piped standard input, exactly as given but for one trailing newline
 *  (the one `echo` or a here-string adds). Spaces, case and any other character count. */
export async function readPipedPassword(input: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  const password = text.replace(/\r?\n$/, '');
  if (password === '') throw new CliError('no password on standard input (pipe it in, or run in a terminal to be prompted)');
  return password;
}

const ENTER = new Set(['\r', '\n']);
const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const ESC = '\u001b';
const BACKSPACE = new Set(['\u007f', '\b']);

/** Asks each question in turn on a terminal, with echo off (raw mode: nothing typed is
 *  shown), and returns the answers. Backspace edits; Ctrl-C or Ctrl-D abort. */
export function promptHidden(questions: string[], input: ReadStream, output: NodeJS.WritableStream): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const answers: string[] = [];
    let current = '';
    const finish = (err?: Error) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      if (err) {
        output.write('\n');
        reject(err);
      } else resolve(answers);
    };
    const ask = () => output.write(questions[answers.length]!);
    function onData(chunk: string) {
      for (const ch of chunk) {
        if (ch === CTRL_C || (ch === CTRL_D && current === '')) return finish(new CliError('cancelled', 130));
        if (ch === ESC) return; // an arrow or function key: the rest of the chunk is its sequence
        if (BACKSPACE.has(ch)) current = [...current].slice(0, -1).join('');
        else if (ENTER.has(ch)) {
          answers.push(current);
          current = '';
          output.write('\n');
          if (answers.length === questions.length) return finish();
          ask();
        } else if (ch >= ' ') current += ch;
      }
    }
    input.setEncoding('utf8');
    input.setRawMode(true);
    input.on('data', onData);
    input.resume();
    ask();
  });
}

/** The new user's password: prompted twice without echo on a terminal, otherwise read
 *  from standard input. */
export async function readNewPassword(): Promise<string> {
  const stdin = process.stdin as NodeJS.ReadStream;
  if (!stdin.isTTY) return readPipedPassword(stdin);
  const [first, second] = await promptHidden(['Password: ', 'Repeat the password: '], stdin, process.stderr);
  if (first !== second) throw new CliError('the two passwords do not match');
  return first!;
}
