// The error a promise rejects with, for a test that asserts on a failure: its class, message and fields (a
// database error's SQLSTATE `code`). The test fails when the promise resolves instead, or rejects with
// something that is no error at all.
export type Rejection = Error & Record<string, unknown>;

export async function rejectionOf(work: Promise<unknown>): Promise<Rejection> {
  try {
    await work;
  } catch (error) {
    // An error made in another realm (Node's own, outside jest's sandbox) is no `instanceof Error` here.
    if (error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error))
      return error as Rejection;
    throw new Error(`rejected with a non-Error: ${String(error)}`);
  }
  throw new Error('expected a rejection');
}
