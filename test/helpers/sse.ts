export interface Frame {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** Reads SSE frames from a response until `until` says stop (or the stream ends), then cancels it. */
export async function readFrames(res: Response, until: (frames: Frame[]) => boolean): Promise<Frame[]> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const frames: Frame[] = [];
  let buf = '';
  while (!until(frames)) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    let cut = buf.indexOf('\n\n');
    while (cut >= 0) {
      const block = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      const frame: Frame = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) frame.comment = line.slice(1).trim();
        else {
          const i = line.indexOf(':');
          const key = line.slice(0, i) as 'id' | 'event' | 'data';
          frame[key] = line.slice(i + 1).trimStart();
        }
      }
      frames.push(frame);
      cut = buf.indexOf('\n\n');
    }
  }
  await reader.cancel();
  return frames;
}
