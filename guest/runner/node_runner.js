// SPDX-License-Identifier: MIT
// sandboxd's JavaScript runner: the program every JavaScript snapshot is taken inside.
//
// It loads what programs commonly use, then blocks reading its request from fd 3. That read is
// the ready point: the worker snapshots the VM there, and every restored copy finishes the read
// with a different request: 8 bytes of little-endian length, then a JSON object
// {"code": str, "args": [str], "env": {str: str}, "cwd": str, "seed": hex str} (the channel
// closes itself once read whole). stdin, stdout and stderr are the worker's to set up (fds 0-2)
// before the read returns.
//
// The code then runs with the semantics of `node -e CODE -- ARGS...`: CommonJS with `require`,
// `module`, `exports`, `__filename` "[eval]" and `__dirname` "." as globals, process.argv ==
// [execPath, ...ARGS], or, when the code is an ES module (it uses `import`, `export` or a
// top-level await), those of `node --input-type=module -e`. This file's main module finishes
// right after starting the program, so node itself does the rest as for `-e`: the event loop
// runs until nothing is pending, uncaught exceptions and unhandled rejections are printed with
// exit status 1, process.exit() and process.exitCode apply, 'beforeExit' and 'exit' fire.
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

const REQUEST_FD = 3;

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
function reseedMathRandom() {
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

function applyEnvironment(request) {
  for (const key of Object.keys(process.env))
    delete process.env[key];
  Object.assign(process.env, request.env);
  process.chdir(request.cwd);
  process.argv = [process.execPath, ...request.args];
  process.execArgv = [];
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
  return (specifier) => {
    if (/^\.{0,2}\//.test(specifier))
      specifier = new URL(specifier, baseURL).href;
    return import(specifier);
  };
}

// `node -e`: a CommonJS module named [eval] in the working directory, its require, module and
// exports made globals, the code run as a script in this context.
function runScript(script, cwd) {
  const name = '[eval]';
  const evalModule = new Module(name);
  evalModule.filename = path.join(cwd, name);
  evalModule.paths = Module._nodeModulePaths(cwd);
  const wrapper = evalModule._compile(
    'globalThis.module = module;\n' +
    'globalThis.exports = exports;\n' +
    'globalThis.__dirname = __dirname;\n' +
    'globalThis.require = require;\n' +
    'return (main) => main();\n',
    `${name}-wrapper`);
  globalThis.__filename = name;
  /^/.exec(''); // node resets the RegExp statics before user code
  wrapper(() => script.runInThisContext({ displayErrors: true }));
}

// `node --input-type=module -e`: an ES module at file://CWD/[eval1]. Its imports are loaded by
// node's own loader and linked as synthetic modules with the same exports.
function runModule(code, cwd) {
  const url = pathToFileURL(path.join(cwd, '[eval1]')).href;
  const load = importer(url);
  const module = new vm.SourceTextModule(code, {
    identifier: url,
    initializeImportMeta(meta) {
      meta.url = url;
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
  // A failure to load, link or evaluate is the program's own uncaught error.
  linked.then(() => module.evaluate()).catch((error) => {
    process.nextTick(() => {
      throw error;
    });
  });
}

function run(code, cwd) {
  let script;
  try {
    script = new vm.Script(code, {
      filename: '[eval]',
      importModuleDynamically: importer(pathToFileURL(path.join(cwd, '[eval]')).href),
    });
  } catch (error) {
    if (error instanceof SyntaxError && MODULE_SYNTAX.some((m) => error.message.includes(m)))
      return runModule(code, cwd);
    throw error;
  }
  runScript(script, cwd);
}

// Warm the paths a request takes (the vm machinery, the module wrapper) before the snapshot,
// without touching anything a request must get fresh: globals, stdio, Math.random.
new vm.Script('void 0', { filename: '[warm-up]' }).runInThisContext();
{
  // VM modules (the runner starts node with --experimental-vm-modules) warn once, at their
  // first use: here, where nobody sees it, rather than in a program's output.
  const emitWarning = process.emitWarning;
  process.emitWarning = () => {};
  new vm.SyntheticModule([], () => {});
  process.emitWarning = emitWarning;
}

const request = readRequest();
reseedMathRandom();
applyEnvironment(request);
run(request.code, request.cwd);
