// An unhandled promise rejection ends the program with status 1 (node 20's default
// --unhandled-rejections=throw), after the synchronous code and the microtasks before it.
console.log('start');
async function load(id) {
  await null;
  if (id > 2) throw new RangeError(`no record ${id}`);
  return id;
}
load(1).then((v) => console.log('loaded', v));
load(3);
setTimeout(() => console.log('never printed'), 50);
console.log('end of script');
