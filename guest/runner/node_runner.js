// SPDX-License-Identifier: MIT
// sandboxd's JavaScript runner: the program every JavaScript snapshot is taken inside.
//
// It loads what programs commonly use, then blocks reading its request from fd 3. That read is
// the ready point: the worker snapshots the VM there, and every restored copy finishes the read
// with a different request: 8 bytes of little-endian length, then a JSON object
// {"code": str, "args": [str], "env": {str: str}, "cwd": str, "pid": int, "seed": hex str, and
// optionally "script_name": str} (the pid is the restored process's own, which node cached at
// start as process.pid); the format is protocol/runner-protocol.h's. stdin, stdout and stderr are
// the worker's to set up (fds 0-2) before the read returns, and the cwd the worker's to have made
// (it exists).
//
// The code then runs with the semantics of `node -e CODE -- ARGS...`: CommonJS with `require`,
// `module`, `exports`, `__filename` "[eval]" and `__dirname` "." as globals, process.argv ==
// [execPath, ...ARGS], or, when the code is an ES module (it uses `import`, `export` or a
// top-level await), those of `node --input-type=module -e`. The program starts from a callback
// of node's own event loop (the ready point, at the end of this file), so node does the rest as
// for `-e`: the event loop runs until nothing is pending, uncaught exceptions and unhandled
// rejections are printed with exit status 1, process.exit() and process.exitCode apply,
// 'beforeExit' and 'exit' fire. With a script_name, those of `node NAME` instead: the code is the
// main module CWD/NAME (an ES module when NAME ends in .mjs), process.argv[1] its path. (The
// request's seed is Python's; see Math.random below.)
//
// Once the 'exit' listeners have run, the runner writes the exit status (4 bytes, little-endian)
// to fd 3, which the VMM keeps open as a control channel: the program ends there, without node's teardown (freeing
// the heap, joining threads, restoring signal handlers: most of a short run's VM exits, in a VM
// that is reset or discarded anyway). On the way to an uncaught exception's report it stays out.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const Module = require('module');
const path = require('path');
const { pathToFileURL } = require('url');
const vm = require('vm');

// What programs commonly load, so the snapshot holds it compiled and a request doesn't pay.
for (const name of ['assert', 'buffer', 'child_process', 'dns', 'events', 'fs/promises', 'http',
                    'https', 'net', 'os', 'querystring', 'readline', 'stream', 'stream/promises',
                    'string_decoder', 'timers/promises', 'util', 'worker_threads', 'zlib'])
  require(name);

const REQUEST_FD = 3; // RUNNER_CHANNEL_FD, protocol/runner-protocol.h

// Runs fn with process warnings dropped: those node gives once, at a first use that is the
// runner's, would otherwise be the first program's.
function quietly(fn) {
  const emitWarning = process.emitWarning;
  process.emitWarning = () => {};
  try {
    return fn();
  } finally {
    process.emitWarning = emitWarning;
  }
}

function readRequest() {
  // One read serves a typical request whole: every syscall is a VM exit.
  const first = Buffer.allocUnsafe(65536);
  let have = fs.readSync(REQUEST_FD, first, 0, first.length, null); // the ready point
  if (have < 8)
    throw new Error('sandboxd runner: request channel closed');
  const size = Number(first.readBigUInt64LE(0));
  const body = Buffer.allocUnsafe(size);
  first.copy(body, 0, 8, have);
  for (have -= 8; have < size;) {
    const n = fs.readSync(REQUEST_FD, body, have, size - have, null);
    if (n === 0)
      throw new Error('sandboxd runner: request channel closed');
    have += n;
  }
  return JSON.parse(body.toString('utf8'));
}

// Every restored VM starts from the same memory, V8's Math.random state included, and V8 can't
// be reseeded from JavaScript: Math.random becomes a generator drawing from OpenSSL, which
// reseeds itself from the host (the restored process has a pid of its own, which OpenSSL's
// fork check sees). 53 random bits per number, as V8 gives.
function installMathRandom() {
  const pool = new Uint32Array(1024);
  let next = pool.length;
  const random = {
    random() {
      if (next === pool.length) {
        crypto.randomFillSync(pool);
        next = 0;
      }
      const high = pool[next++] >>> 5, low = pool[next++] >>> 6;
      return (high * 67108864 + low) / 9007199254740992;
    },
  }.random;
  Object.defineProperty(Math, 'random',
                        { value: random, writable: true, enumerable: false, configurable: true });
}

// Ends the program through the control channel right after the 'exit' event, whoever emits it
// (node when the event loop is done, process.exit()), except when node is on its way to report
// an uncaught exception or unhandled rejection, which it prints after 'exit'.
function installFastExit() {
  const emit = process.emit;
  let fatal = false;
  process.emit = function emitThenExit(event, ...args) {
    const handled = Reflect.apply(emit, this, [event, ...args]);
    if (event === 'uncaughtException' && !handled) {
      fatal = true;
    } else if (event === 'exit' && !fatal && this === process) {
      const status = Buffer.alloc(4);
      status.writeInt32LE(Number(process.exitCode ?? args[0] ?? 0) | 0);
      fs.writeSync(REQUEST_FD, status);
    }
    return handled;
  };
}

// The environment the runner started with, as a plain object: reading process.env goes through
// the C library for every key, and nothing changes it before the request.
const START_ENV = { ...process.env };

function sameEnvironment(env) {
  const keys = Object.keys(env);
  return keys.length === Object.keys(START_ENV).length &&
         keys.every((key) => START_ENV[key] === env[key]);
}

// Most requests keep the environment and directory the runner started with: nothing to do then.
function applyEnvironment(request) {
  if (!sameEnvironment(request.env)) {
    for (const key of Object.keys(process.env))
      delete process.env[key];
    Object.assign(process.env, request.env);
  }
  if (request.cwd !== process.cwd())
    process.chdir(request.cwd);
  if (request.script_name === undefined) {
    process.argv = [process.execPath, ...request.args];
    process.execArgv = ['-e', request.code];
  } else {
    process.argv = [process.execPath, path.join(request.cwd, request.script_name),
                    ...request.args];
    process.execArgv = [];
  }
  Object.defineProperty(process, 'pid', { value: request.pid, writable: false, enumerable: true,
                                          configurable: true });
}

// Whether node would only run this as an ES module: the messages V8 gives when a script uses
// module syntax.
const MODULE_SYNTAX = [
  'Cannot use import statement outside a module',
  "Unexpected token 'export'",
  "Cannot use 'import.meta' outside a module",
  'await is only valid in async functions and the top level bodies of modules',
];

// Resolves what the program imports the way the eval's own module would: relative to a file in
// the working directory, with node's loader.
function importer(baseURL) {
  return (specifier) => import(resolveRelative(baseURL, specifier) ?? specifier);
}

// A path or file: URL the program names, against its own URL; null for anything else.
function resolveRelative(base, specifier) {
  return /^(\.{0,2}\/|file:)/.test(specifier) ? new URL(specifier, base).href : null;
}

// `node -e` is node's own: its main script for -e (internal/main/eval_string), compiled by node
// from its own source, run with the request's code as the --eval option it reads. It makes the
// [eval] module, its globals and the [eval]-wrapper, and runs the code in this context, as node -e
// does, frame for frame: a stack trace shows node's frames down to eval_string and nothing of
// this file. What it needs of node's internals comes through --expose-internals (runtime.c); the
// pre-execution set-up it starts with was done when node started this runner.
const { internalBinding, primordials } = quietly(() => require('internal/test/binding'));
const evalMain = internalBinding('builtins').compileFunction('internal/main/eval_string');
const { Pipe, constants: PipeConstants } = internalBinding('pipe_wrap');
const realOptions = require('internal/options');
let evalCode = '';
const evalOptions = {
  ...realOptions,
  getOptionValue(name) {
    if (name === '--eval')
      return evalCode;
    return name === '--print' ? false : realOptions.getOptionValue(name);
  },
};
const noPreExecution = { prepareMainThreadExecution() {}, markBootstrapComplete() {} };
// The globals it then defines for node's modules (fs, http, ...: getters that load them) are
// defined once, by the warm-up, and are in the snapshot: defining them again would only find
// them there (30 µs).
const helpers = require('internal/modules/helpers');
let evalHelpers = helpers;
function evalRequire(id) {
  if (id === 'internal/options')
    return evalOptions;
  if (id === 'internal/process/pre_execution')
    return noPreExecution;
  if (id === 'internal/modules/helpers')
    return evalHelpers;
  return require(id);
}
// A bound function leaves no frame of its own in a stack trace.
const runEval = evalMain.bind(undefined, process, evalRequire, internalBinding, primordials);

// import.meta.resolve() for the eval module: files relative to it, built-ins by their node:
// names; nothing else exists in a sandbox (no node_modules).
function resolveFrom(base, specifier) {
  const resolved = resolveRelative(base, specifier);
  if (resolved)
    return resolved;
  if (specifier.startsWith('node:') || Module.isBuiltin(specifier))
    return specifier.startsWith('node:') ? specifier : `node:${specifier}`;
  const error = new Error(`Cannot find package '${specifier}' imported from ${base}`);
  error.code = 'ERR_MODULE_NOT_FOUND';
  throw error;
}

// `node --input-type=module -e`: an ES module at file://CWD/[eval1]. Its imports are loaded by
// node's own loader and linked as synthetic modules with the same exports.
function runModule(code, cwd, url = `${pathToFileURL(cwd).href}/[eval1]`) {
  // (node names the eval's module "file:////[eval1]" in /.)
  const load = importer(url);
  // What node's module eval leaves behind: `module` is the CommonJS Module class.
  globalThis.module = Module;
  const module = new vm.SourceTextModule(code, {
    identifier: url,
    initializeImportMeta(meta) {
      meta.url = url;
      meta.resolve = (specifier) => resolveFrom(url, specifier);
    },
    importModuleDynamically: load,
  });
  const linked = module.link(async (specifier) => {
    const namespace = await load(specifier);
    const names = Object.keys(namespace);
    const synthetic = new vm.SyntheticModule(names, function () {
      for (const name of names)
        this.setExport(name, namespace[name]);
    }, { identifier: specifier });
    return synthetic;
  });
  // A top-level await still pending when the event loop runs dry ends the program with 13, as
  // node's own module runner does (its 'exit' listener comes before the program's).
  const unsettled = () => {
    process.exitCode = 13;
  };
  process.on('exit', unsettled);
  // A failure to load, link or evaluate is the program's own: left unhandled, node reports it
  // where it was thrown and exits 1.
  linked.then(() => module.evaluate()).then(() => {
    process.off('exit', unsettled);
  }, (error) => {
    process.off('exit', unsettled);
    throw error;
  });
}

// `node NAME`: the code is the main module at CWD/NAME, loaded as node loads a main script
// (Module._load and Module.prototype.load), from the request rather than from a file.
function runMain(code, cwd, name) {
  const filename = path.join(cwd, name);
  if (name.endsWith('.mjs'))
    return runModule(code, cwd, pathToFileURL(filename).href);
  const main = new Module(filename, null);
  main.id = '.';
  main.filename = filename;
  main.paths = Module._nodeModulePaths(cwd);
  process.mainModule = main; // before _compile: its require.main is read from here
  Module._cache[filename] = main;
  /^/.exec(''); // node resets the RegExp statics before user code
  main._compile(code, filename);
  main.loaded = true;
}

// Whether the code is one node would only run as an ES module. (Only code naming import, export
// or await can be: the rest is spared a compile.)
function isModule(code) {
  if (!/\b(?:import|export|await)\b/.test(code))
    return false;
  try {
    new vm.Script(code, { filename: '[eval]' });
    return false;
  } catch (error) {
    return error instanceof SyntaxError && MODULE_SYNTAX.some((m) => error.message.includes(m));
  }
}

// Runs the code at once, from here (the warm-up), or, for a request, `start`s it.
function run(code, cwd, scriptName) {
  if (scriptName !== undefined)
    return runMain(code, cwd, scriptName);
  if (isModule(code)) {
    process.execArgv.unshift('--input-type=module');
    return runModule(code, cwd);
  }
  evalCode = code;
  runEval();
}

// A request's program. node runs its main script from C++, with no JavaScript below it; so does
// this, for `-e` code: a handle's close callback is called that way (HandleWrap::OnClose, through
// MakeCallback: an uncaught exception, then nextTicks before promises, as after a main script),
// in this same turn of the event loop and without a system call (the pipe never had an fd).
function start(request) {
  if (request.script_name !== undefined || isModule(request.code))
    return run(request.code, request.cwd, request.script_name);
  evalCode = request.code;
  new Pipe(PipeConstants.SOCKET).close(runEval);
}

// Warm up: run a small program the way a request runs, so that what every request needs is
// compiled in the snapshot (the module wrapper, console and process.stdout, JSON, promises,
// timers, the event loop's turns) instead of again after each restore. Its output goes to
// whoever made the snapshot. Nothing a request must get fresh is touched: Math.random (drawn
// lazily), crypto, stdin.
installFastExit();
installMathRandom();
// VM modules (the runner starts node with --experimental-vm-modules) warn once, at their first
// use: here, where nobody sees it, rather than in a program's output.
quietly(() => new vm.SyntheticModule([], () => {}));
// (console.log formats anything but strings with util.inspect: give it the common kinds.) Many
// times over: every request starts from this V8 state, and code that ran a few hundred times has
// its inline caches filled and hot paths compiled further (measured: a restored console.log(1)
// in 0.58 ms of guest time after 300 runs, 0.70 ms after one).
const WARMUP_RUNS = 300;
for (let i = 0; i < WARMUP_RUNS; i++) {
  run('console.log(JSON.stringify({ warm: [1, 2, 3].map((x) => x * 2) }));\n' +
      'console.log(1, 1.5, -2, 10n, true, null, undefined, "s", [1, "a"], { a: { b: [2] } });\n' +
      'console.error(String(1.5), `${2}`, new Map([[1, 2]]), new Set([1]), () => 1);\n' +
      'Promise.resolve(1).then(async (v) => { await null; });\n' +
      'setTimeout(() => {}, 0);\n' +
      'setImmediate(() => {});\n', process.cwd());
}
// The way out, which would otherwise never have run before the snapshot and be compiled anew in
// every request (0.12 ms of guest time): 'beforeExit' as node emits it when the loop runs dry,
// and the control channel's write (to /dev/null here).
process.emit('beforeExit', 0);
{
  const fd = fs.openSync('/dev/null', 'w');
  const status = Buffer.alloc(4);
  status.writeInt32LE(Number(process.exitCode ?? 0) | 0);
  fs.writeSync(fd, status);
  fs.closeSync(fd);
}
for (const name of ['module', 'exports', 'require', '__dirname', '__filename'])
  delete globalThis[name];
// Not the runner's but the program's: node -e has no main module (require.main is read from here
// when a require is made).
delete Module._cache[__filename];
process.mainModule = undefined;
evalHelpers = { ...helpers, addBuiltinLibsToObject() {} };

// The ready point is in an immediate callback of the event loop's second turn, after the
// warm-up's timer and immediate ran: the loop's own paths are warm, nothing of the warm-up is
// pending. The program then runs from there as `node -e` runs it from its main script: its
// nextTicks and promises after it, then the event loop (and V8's pending tasks, such as an
// asynchronous WebAssembly compile) until nothing is left, 'beforeExit', 'exit'.
setTimeout(() => setImmediate(() => {
  const request = readRequest();
  applyEnvironment(request);
  start(request);
}), 0);
