/** Where an instance is in its life, as the load balancer must see it. */
export interface Lifecycle {
  /** Set on SIGTERM: /readyz answers 503 so the load balancer stops sending requests,
   *  while the instance still serves every request that reaches it (main.ts). */
  draining: boolean;
}

export function createLifecycle(): Lifecycle {
  return { draining: false };
}
