// A small typed client of the mall API for the mini-program, over wx.request: the request bodies, responses
// and problem codes come from mall-api.d.ts, which is generated from the API document. If the API drops or
// renames a field used here, this file stops compiling (MiniProgramTypesTests).
import type { components, paths } from './mall-api';

type Schemas = components['schemas'];
type Json<Operation, Status extends number> = Operation extends { responses: { [S in Status]: { content: { 'application/json': infer Body } } } } ? Body : never;

export type OrderView = Schemas['OrderView'];
export type CheckoutRequest = Schemas['CheckoutRequest'];
export type Problem = Schemas['ProblemBody'];

/** The mini-program's one way out: wx.request (declared here, as the WeChat typings are not a dependency). */
declare const wx: {
  request(options: {
    url: string;
    method: 'GET' | 'POST' | 'PUT' | 'DELETE';
    header?: Record<string, string>;
    data?: unknown;
    success(result: { statusCode: number; data: unknown }): void;
    fail(error: { errMsg: string }): void;
  }): void;
};

export class MallApiError extends Error {
  constructor(readonly status: number, readonly problem: Problem) {
    super(`${problem.code}: ${problem.detail}`);
  }
}

export class MallClient {
  constructor(private readonly baseUrl: string, private token?: string) {}

  async login(body: Schemas['LoginRequest']): Promise<Json<paths['/auth/login']['post'], 200>> {
    const session = await this.send<Json<paths['/auth/login']['post'], 200>>('POST', '/auth/login', body);
    this.token = session.token;
    return session;
  }

  /** Places an order; the same idempotency key returns the same order when a retry follows a lost answer. */
  createOrder(body: CheckoutRequest, idempotencyKey: string): Promise<Json<paths['/orders']['post'], 201>> {
    return this.send('POST', '/orders', body, { 'Idempotency-Key': idempotencyKey });
  }

  order(orderId: string): Promise<Json<paths['/orders/{orderId}']['get'], 200>> {
    return this.send('GET', `/orders/${encodeURIComponent(orderId)}`);
  }

  private send<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, data?: unknown, header: Record<string, string> = {}): Promise<T> {
    return new Promise((resolve, reject) => wx.request({
      url: this.baseUrl + path,
      method,
      data,
      header: { ...header, ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}) },
      success: ({ statusCode, data: body }) => (statusCode < 400 ? resolve(body as T) : reject(new MallApiError(statusCode, body as Problem))),
      fail: ({ errMsg }) => reject(new Error(errMsg)),
    }));
  }
}

/** What the order page shows: the fields it reads are the ones the API must keep. */
export function orderSummary(order: OrderView): string {
  const refunded = order.refunds.filter(r => r.status === 'succeeded').reduce((sum, r) => sum + r.amountFen, 0);
  const shipped = order.shipment ? ` · ${order.shipment.carrier} ${order.shipment.trackingNumber}` : '';
  return `${order.id} ${order.status}: ${order.lines.map(l => `${l.title} ×${l.quantity}`).join(', ')}`
    + ` · ¥${(order.pricing.payableFen / 100).toFixed(2)}${refunded > 0 ? ` (refunded ¥${(refunded / 100).toFixed(2)})` : ''}${shipped}`;
}

/** A problem the page handles itself; the codes come from the document, so a code the API stops answering fails to compile. */
export function isRetryable(error: MallApiError): boolean {
  const retryable: ReadonlyArray<Schemas['ErrorCode']> = ['BUSY', 'TOO_MANY_REQUESTS', 'WE_CHAT_UNAVAILABLE'];
  return retryable.includes(error.problem.code as Schemas['ErrorCode']);
}
