import type { Socket } from "bun";

/** One keep-alive HTTP/1.1 connection sending one request at a time; resolves status and body. */
export interface BenchConnection {
  post(path: string, headers: string, body: string): Promise<{ status: number; body: string }>;
  close(): void;
}

interface Pending {
  resolve(value: { status: number; body: string }): void;
  reject(error: Error): void;
}

const HEADER_END = "\r\n\r\n";

/**
 * A minimal HTTP/1.1 client for the bench's load generator: the load shares the 2 cores with
 * the server and PostgreSQL (pgbench's own client is C), so it should cost little per request.
 * `fetch` spends about 50 µs of CPU per booking here; this writes a preformatted request and
 * reads the status line and a Content-Length body. Not a general client (no chunked bodies).
 */
export async function benchConnection(host: string, port: number): Promise<BenchConnection> {
  let buffer = "";
  let pending: Pending | undefined;
  let unsent = "";
  const fail = (error: Error) => {
    pending?.reject(error);
    pending = undefined;
  };
  const socket: Socket = await Bun.connect({
    hostname: host,
    port,
    socket: {
      data(_socket, chunk) {
        buffer += chunk.toString("latin1");
        const headerEnd = buffer.indexOf(HEADER_END);
        if (headerEnd < 0 || !pending) return;
        const head = buffer.slice(0, headerEnd);
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? Number.NaN);
        if (Number.isNaN(length)) return fail(new Error(`response without Content-Length: ${head}`));
        const end = headerEnd + HEADER_END.length + length;
        if (buffer.length < end) return;
        const status = Number(head.slice(9, 12));
        const body = buffer.slice(headerEnd + HEADER_END.length, end);
        buffer = buffer.slice(end);
        const done = pending;
        pending = undefined;
        done.resolve({ status, body });
      },
      drain(s) {
        if (!unsent) return;
        const written = s.write(unsent);
        unsent = unsent.slice(written);
      },
      close() {
        fail(new Error("connection closed"));
      },
      error(_socket, error) {
        fail(error);
      },
    },
  });
  return {
    post(path, headers, body) {
      if (pending) return Promise.reject(new Error("one request at a time"));
      const request =
        `POST ${path} HTTP/1.1\r\nhost: ${host}:${port}\r\n${headers}` +
        `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
      return new Promise((resolve, reject) => {
        pending = { resolve, reject };
        const written = socket.write(request);
        if (written < request.length) unsent = request.slice(written);
      });
    },
    close: () => socket.end(),
  };
}
