// Rejections with values that aren't Errors, and an 'unhandledRejection' handler that turns
// the first into an exit code of its own.
let count = 0;
process.on('unhandledRejection', (reason, promise) => {
  count++;
  console.log('unhandledRejection', typeof reason, JSON.stringify(reason), promise instanceof Promise);
  if (count === 2) {
    process.removeAllListeners('unhandledRejection');
    Promise.reject({ code: 42, msg: 'an object, not an Error' });
  }
});
process.on('rejectionHandled', () => console.log('rejectionHandled'));
Promise.reject('a string reason');
const late = Promise.reject(7);
setTimeout(() => late.catch(() => console.log('caught late')), 10);
