// Benchmark helper process: an OTLP/HTTP endpoint that accepts and drops every export, as a
// collector would in its own process. Tells its parent the port; answers 'bytes' with the bytes
// received so far.
import { createServer } from 'node:http';

let bytes = 0;
const server = createServer((req, res) => {
  req.on('data', (d) => (bytes += d.length));
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (m) => {
  if (m === 'bytes') process.send({ bytes });
});
process.on('disconnect', () => process.exit(0));
