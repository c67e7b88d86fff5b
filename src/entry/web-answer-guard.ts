import type { ServerResponse } from 'node:http';

/**
 * A Web answer made safe for @hono/node-server's adapter: a body that fails midway (an upstream cut off) would
 * otherwise be logged there with its stack and end with `Error: <message>` written into the client's body. Here
 * the connection is reset instead, as on the fast path, so the client sees a cut answer and nothing else.
 *
 * @example
 * getRequestListener((request, { outgoing }) => guardWebAnswer(gateway.fetch(request), outgoing));
 */
export async function guardWebAnswer(answer: Promise<Response>, outgoing: ServerResponse): Promise<Response> {
  const response = await answer;
  if (response.body === null) return response;
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        } catch {
          outgoing.destroy();
          controller.close();
        }
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}
