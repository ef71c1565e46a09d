// Follows an SSE stream with the npm "eventsource" package and prints one JSON line per happening:
// {"open":n} on every (re)connection, {"id":..,"data":..} per event of the given type.
// Usage: node eventsource-client.mjs <url> <event-type>
import { EventSource } from 'eventsource';

const [url, type] = process.argv.slice(2);
const source = new EventSource(url);
let opens = 0;
source.onopen = () => console.log(JSON.stringify({ open: ++opens }));
source.addEventListener(type, (e) => console.log(JSON.stringify({ id: e.lastEventId, data: e.data })));
source.onerror = (e) => console.log(JSON.stringify({ error: String(e?.message ?? e?.type ?? 'error') }));
process.on('SIGTERM', () => {
  source.close();
  process.exit(0);
});
