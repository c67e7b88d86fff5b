import { describe, expect, it } from 'vitest';
import { type BreakerOptions, createCircuitBreaker } from './circuit-breaker.js';

/** A breaker on a clock the test moves by hand. */
function setup(overrides: Partial<Omit<BreakerOptions, 'now'>> = {}) {
  const clock = { t: 1_000_000 };
  const breaker = createCircuitBreaker({
    failureThreshold: 3,
    cooldownMs: 1_000,
    maxCooldownMs: 5_000,
    now: () => clock.t,
    ...overrides,
  });
  /** Attempts that start and fail one after another (from a closed breaker: none of them is the probe). */
  const fail = (times: number) => {
    for (let i = 0; i < times; i++) breaker.onFailure(breaker.onAttempt());
  };
  return { clock, breaker, fail };
}

describe('createCircuitBreaker', () => {
  it('starts closed, allowing attempts', () => {
    const { clock, breaker } = setup();
    expect(breaker.canAttempt()).toBe(true);
    expect(breaker.readyAt()).toBe(clock.t);
    expect(breaker.snapshot()).toEqual({ state: 'closed', consecutiveFailures: 0, openUntil: null });
  });

  it('stays closed below the threshold, counting the failures', () => {
    const { breaker, fail } = setup();
    fail(2);
    expect(breaker.canAttempt()).toBe(true);
    expect(breaker.snapshot()).toEqual({ state: 'closed', consecutiveFailures: 2, openUntil: null });
  });

  it('opens after failureThreshold consecutive failures, for cooldownMs', () => {
    const { clock, breaker, fail } = setup();
    fail(3);
    expect(breaker.canAttempt()).toBe(false);
    expect(breaker.snapshot()).toEqual({
      state: 'open',
      consecutiveFailures: 3,
      openUntil: clock.t + 1_000,
    });
  });

  it('opens on the first failure with a threshold of 1', () => {
    const { breaker, fail } = setup({ failureThreshold: 1 });
    fail(1);
    expect(breaker.snapshot().state).toBe('open');
  });

  it('resets the count on success: failures must be consecutive', () => {
    const { breaker, fail } = setup();
    fail(2);
    breaker.onSuccess();
    expect(breaker.snapshot().consecutiveFailures).toBe(0);
    fail(2);
    expect(breaker.canAttempt()).toBe(true);
    expect(breaker.snapshot().state).toBe('closed');
    fail(1);
    expect(breaker.snapshot().state).toBe('open');
  });

  it('refuses attempts until the cooldown has passed, then turns half-open', () => {
    const { clock, breaker, fail } = setup();
    fail(3);
    clock.t += 999;
    expect(breaker.canAttempt()).toBe(false);
    expect(breaker.snapshot().state).toBe('open');
    clock.t += 1;
    expect(breaker.snapshot().state).toBe('half-open');
    expect(breaker.canAttempt()).toBe(true);
  });

  it('lets exactly one probe through while half-open; its release frees the slot', () => {
    const { clock, breaker, fail } = setup();
    fail(3);
    clock.t += 1_000;
    expect(breaker.canAttempt()).toBe(true);
    const ticket = breaker.onAttempt();
    expect(ticket.probe).toBe(true);
    expect(breaker.canAttempt()).toBe(false);
    expect(breaker.canAttempt()).toBe(false);
    expect(breaker.snapshot().state).toBe('half-open');
    ticket.release();
    expect(breaker.canAttempt()).toBe(true);
  });

  it('onAttempt while closed marks no probe, and its release changes nothing', () => {
    const { breaker, fail } = setup();
    const ticket = breaker.onAttempt();
    expect(ticket.probe).toBe(false);
    expect(breaker.canAttempt()).toBe(true);
    ticket.release();
    expect(breaker.canAttempt()).toBe(true);
    fail(2);
    breaker.onAttempt().release();
    expect(breaker.snapshot()).toEqual({ state: 'closed', consecutiveFailures: 2, openUntil: null });
  });

  it('closes on a successful probe and resets the cooldown to cooldownMs', () => {
    const { clock, breaker, fail } = setup();
    fail(3);
    clock.t += 1_000;
    breaker.onFailure(breaker.onAttempt()); // Reopened for 2_000.
    clock.t += 2_000;
    expect(breaker.onAttempt().probe).toBe(true);
    breaker.onSuccess();
    expect(breaker.snapshot()).toEqual({ state: 'closed', consecutiveFailures: 0, openUntil: null });
    expect(breaker.canAttempt()).toBe(true);
    // The next opening starts again from cooldownMs, not from the doubled value.
    fail(3);
    expect(breaker.snapshot().openUntil).toBe(clock.t + 1_000);
  });

  it('reopens on a failed probe with the cooldown doubled each time, capped at maxCooldownMs', () => {
    const { clock, breaker, fail } = setup();
    fail(3);
    const cooldowns: number[] = [1_000];
    for (let i = 0; i < 4; i++) {
      clock.t = breaker.snapshot().openUntil ?? Number.NaN;
      expect(breaker.canAttempt()).toBe(true);
      breaker.onFailure(breaker.onAttempt());
      const { state, openUntil } = breaker.snapshot();
      expect(state).toBe('open');
      expect(breaker.canAttempt()).toBe(false);
      cooldowns.push((openUntil ?? Number.NaN) - clock.t);
    }
    expect(cooldowns).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
    expect(breaker.snapshot().consecutiveFailures).toBe(7);
  });

  it('frees the probe slot when the probe fails, so the next half-open period allows one again', () => {
    const { clock, breaker, fail } = setup();
    fail(3);
    clock.t += 1_000;
    const probe = breaker.onAttempt();
    breaker.onFailure(probe);
    expect(breaker.canAttempt()).toBe(false);
    clock.t += 2_000;
    expect(breaker.canAttempt()).toBe(true);
    probe.release(); // Late: changes nothing.
    expect(breaker.canAttempt()).toBe(true);
  });

  it('readyAt() is openUntil while open, now while half-open or closed', () => {
    const { clock, breaker, fail } = setup();
    expect(breaker.readyAt()).toBe(clock.t);
    fail(3);
    const openUntil = clock.t + 1_000;
    expect(breaker.readyAt()).toBe(openUntil);
    clock.t += 500;
    expect(breaker.readyAt()).toBe(openUntil);
    clock.t += 700;
    expect(breaker.readyAt()).toBe(clock.t);
    breaker.onAttempt();
    // Half-open with the probe out: still reported as "now".
    expect(breaker.readyAt()).toBe(clock.t);
  });

  it('snapshot() keeps openUntil while half-open', () => {
    const { clock, breaker, fail } = setup();
    fail(3);
    const openUntil = clock.t + 1_000;
    clock.t += 1_500;
    expect(breaker.snapshot()).toEqual({ state: 'half-open', consecutiveFailures: 3, openUntil });
  });

  // Failures of attempts that were already in flight when the breaker opened are not a "reopening": the
  // documented contract is a cooldown that doubles on each reopening (i.e. each failed probe).
  it('does not extend the cooldown for failures reported while already open (stragglers)', () => {
    const { clock, breaker } = setup();
    // Five attempts in flight at once, all failing together.
    const tickets = Array.from({ length: 5 }, () => breaker.onAttempt());
    for (const ticket of tickets) breaker.onFailure(ticket);
    expect(breaker.snapshot()).toEqual({
      state: 'open',
      consecutiveFailures: 5,
      openUntil: clock.t + 1_000,
    });
  });

  it('onAttempt while open (tried through the open breaker) marks the probe', () => {
    const { breaker, fail } = setup();
    fail(3);
    const ticket = breaker.onAttempt();
    expect(ticket.probe).toBe(true);
    expect(breaker.snapshot().state).toBe('open');
  });

  it('a straggler failing while half-open with the probe out does not reopen nor double the cooldown', () => {
    const { clock, breaker } = setup();
    // Four attempts start while closed; three fail and open the breaker, the fourth is still in flight.
    const tickets = Array.from({ length: 4 }, () => breaker.onAttempt());
    for (const ticket of tickets.slice(0, 3)) breaker.onFailure(ticket);
    const openUntil = clock.t + 1_000;
    expect(breaker.snapshot()).toEqual({ state: 'open', consecutiveFailures: 3, openUntil });
    clock.t = openUntil;
    const probe = breaker.onAttempt();
    expect(probe.probe).toBe(true);
    const straggler = tickets[3];
    if (straggler === undefined) throw new Error('no straggler');
    breaker.onFailure(straggler);
    // Counted, and nothing else: still half-open, same openUntil, the probe still holds the slot.
    expect(breaker.snapshot()).toEqual({ state: 'half-open', consecutiveFailures: 4, openUntil });
    expect(breaker.canAttempt()).toBe(false);
    // The probe's own failure is the first reopening: cooldownMs doubled once, not twice.
    breaker.onFailure(probe);
    expect(breaker.snapshot()).toEqual({
      state: 'open',
      consecutiveFailures: 5,
      openUntil: clock.t + 2_000,
    });
  });

  it('a straggler failing while open only counts: no cooldown extension, probe slot untouched', () => {
    const { clock, breaker } = setup();
    const tickets = Array.from({ length: 4 }, () => breaker.onAttempt());
    for (const ticket of tickets.slice(0, 3)) breaker.onFailure(ticket);
    const openUntil = clock.t + 1_000;
    clock.t += 500;
    const straggler = tickets[3];
    if (straggler === undefined) throw new Error('no straggler');
    breaker.onFailure(straggler);
    expect(breaker.snapshot()).toEqual({ state: 'open', consecutiveFailures: 4, openUntil });
    clock.t = openUntil;
    expect(breaker.canAttempt()).toBe(true);
  });

  it('only the current probe reopens: an older probe failing while a newer one is out only counts', () => {
    const { clock, breaker, fail } = setup();
    fail(3);
    const openUntil = clock.t + 1_000;
    clock.t = openUntil;
    const older = breaker.onAttempt();
    const newer = breaker.onAttempt(); // Taken anyway (the caller had nowhere else to go): now the probe.
    expect(newer.probe).toBe(true);
    breaker.onFailure(older);
    expect(breaker.snapshot()).toEqual({ state: 'half-open', consecutiveFailures: 4, openUntil });
    breaker.onFailure(newer);
    expect(breaker.snapshot()).toEqual({
      state: 'open',
      consecutiveFailures: 5,
      openUntil: clock.t + 2_000,
    });
  });

  it("a late release from an old probe does not free a newer probe's slot", () => {
    const { clock, breaker, fail } = setup();
    fail(3);
    clock.t += 1_000;
    const old = breaker.onAttempt();
    breaker.onFailure(old); // Reopened for 2_000.
    clock.t += 2_000;
    const current = breaker.onAttempt();
    expect(breaker.canAttempt()).toBe(false);
    old.release();
    expect(breaker.canAttempt()).toBe(false);
    current.release();
    expect(breaker.canAttempt()).toBe(true);
  });

  it('a late release from a probe that was replaced does not free the slot', () => {
    const { clock, breaker, fail } = setup();
    fail(3);
    clock.t += 1_000;
    const old = breaker.onAttempt();
    const current = breaker.onAttempt();
    old.release();
    expect(breaker.canAttempt()).toBe(false);
    current.release();
    expect(breaker.canAttempt()).toBe(true);
  });

  it('a success from any attempt closes the breaker, the probe still out or not', () => {
    const { clock, breaker } = setup();
    const tickets = Array.from({ length: 4 }, () => breaker.onAttempt());
    for (const ticket of tickets.slice(0, 3)) breaker.onFailure(ticket);
    clock.t += 1_000;
    const probe = breaker.onAttempt();
    breaker.onSuccess(); // The straggler (tickets[3]) answered, not the probe.
    expect(breaker.snapshot()).toEqual({ state: 'closed', consecutiveFailures: 0, openUntil: null });
    expect(breaker.canAttempt()).toBe(true);
    // The probe ending later changes nothing: its release is void, its failure counts like any other.
    probe.release();
    breaker.onFailure(probe);
    expect(breaker.snapshot()).toEqual({ state: 'closed', consecutiveFailures: 1, openUntil: null });
  });

  it('a success while still open closes the breaker too', () => {
    const { breaker, fail } = setup();
    fail(3);
    expect(breaker.snapshot().state).toBe('open');
    breaker.onSuccess();
    expect(breaker.snapshot()).toEqual({ state: 'closed', consecutiveFailures: 0, openUntil: null });
    expect(breaker.canAttempt()).toBe(true);
  });
});
