/**
 * A shortcut for the row packets of a raw stream (raw-row-stream.ts): once the first row has come
 * through mysql2's usual path, the following row packets go from mysql2's packet parser straight
 * to the sink, skipping its per-packet dispatch (handlePacket, Command.execute, Query.row and one
 * 'result' event per row). That dispatch was about a third of Node's time in a backup, whose
 * event loop serves every dump session at once. Anything that is not a plain row packet (an EOF
 * or OK packet ends the result, 0xFF is an error, a row split over several packets, a packet out
 * of sequence, a paused connection) goes back to mysql2's own path, which handles it as before.
 * The mysql2 internals used are probed first: when they are not there, nothing is installed.
 */

/** A packet as mysql2's parser hands it on (one instance, reused for every packet). */
interface ParsedPacket {
  sequenceId: number;
  numPackets: number;
  buffer: Buffer;
  /** Payload start (after the 4-byte header). */
  offset: number;
  end: number;
}

/** The parts of mysql2's connection (lib/base/connection.js, 3.x) the shortcut uses. */
interface ParserHost {
  packetParser?: { onPacket?: (packet: ParsedPacket) => void };
  sequenceId?: number;
  _paused?: boolean;
  config?: { compress?: boolean; debug?: unknown };
}

/** What to do with a row's bytes (the packet's payload, `src[start, end)`). */
export type RowHandler = (src: Buffer, start: number, end: number) => void;

/**
 * Routes the row packets of the running result straight to `onRow` until a packet that is not a
 * plain row comes (which goes to mysql2 as before, and removes the shortcut). Returns the function
 * that removes it earlier (idempotent), or undefined when the connection is not one it knows.
 */
export function installRowShortcut(connection: unknown, onRow: RowHandler): (() => void) | undefined {
  const host = connection as ParserHost;
  const parser = host.packetParser;
  const original = parser?.onPacket;
  // Compressed protocol and debug output run through other paths: leave them to mysql2.
  if (!parser || typeof original !== 'function' || typeof host.sequenceId !== 'number' || host.config?.compress || host.config?.debug) {
    return undefined;
  }
  let installed = true;
  const remove = () => {
    if (!installed) return;
    installed = false;
    parser.onPacket = original;
  };
  parser.onPacket = (packet: ParsedPacket) => {
    const first = packet.buffer[packet.offset];
    // A paused connection queues packets (copies) and replays them through its usual path: the
    // shortcut stays for the packets read after the replay.
    if (host._paused) {
      original(packet);
      return;
    }
    // 0xFE starts an EOF/OK packet (or a row whose first field is over 16 MB), 0xFF an error;
    // mysql2 checks the sequence (and only warns).
    if (first === 0xfe || first === 0xff || packet.numPackets !== 1 || packet.sequenceId !== host.sequenceId) {
      remove();
      original(packet);
      return;
    }
    host.sequenceId = (packet.sequenceId + 1) % 256;
    onRow(packet.buffer, packet.offset, packet.end);
  };
  return remove;
}
