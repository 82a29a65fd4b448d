// Lets the parent ask a child server how much CPU it has used, so the bench can report server
// CPU per request: a figure the load generator's own CPU use cannot distort.
process.on('message', (message) => {
  if (message === 'cpu-usage') {
    const { user, system } = process.cpuUsage();
    process.send?.({ cpuMicros: user + system });
  }
});
