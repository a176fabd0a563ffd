// The confirmation store on its own: single use, expiry at exactly its lifetime, bound to its kind,
// a bounded number pending, and the field-by-field comparison that names what changed.
import { describe, expect, it } from 'vitest';
import { bindingDifference, confirmationLifetimeMs, createConfirmations } from '../../src-main/service/confirmations.ts';

describe('createConfirmations', () => {
  it('answers the binding once, then refuses the same id', () => {
    const confirmations = createConfirmations();
    const { confirmationId } = confirmations.issue('flash', { drive: 'sdb' });
    expect(confirmations.consume('flash', confirmationId)).toEqual({ drive: 'sdb' });
    expect(() => confirmations.consume('flash', confirmationId)).toThrow(/already used/);
  });

  it('expires exactly at its lifetime, and an expired id is gone', () => {
    let nowMs = 1_000_000;
    const confirmations = createConfirmations(() => nowMs);
    const live = confirmations.issue('flash', 1);
    expect(live.expiresAtMs).toBe(1_000_000 + confirmationLifetimeMs);
    nowMs = live.expiresAtMs - 1;
    expect(confirmations.consume('flash', live.confirmationId)).toBe(1);
    const late = confirmations.issue('flash', 2);
    nowMs = late.expiresAtMs;
    expect(() => confirmations.consume('flash', late.confirmationId)).toThrow(/expired 0 ms ago/);
  });

  it('refuses an id issued for another kind of change, and uses it up doing so', () => {
    const confirmations = createConfirmations();
    const { confirmationId } = confirmations.issue('keys-import', {});
    expect(() => confirmations.consume('flash', confirmationId)).toThrow(/issued for keys-import, not flash/);
    expect(() => confirmations.consume('keys-import', confirmationId)).toThrow(/already used/);
  });

  it('keeps at most 64 pending: asking in a loop drops the oldest instead of growing', () => {
    const confirmations = createConfirmations();
    const first = confirmations.issue('flash', 'first');
    for (let index = 0; index < 64; index += 1) confirmations.issue('flash', index);
    expect(() => confirmations.consume('flash', first.confirmationId)).toThrow(/not issued by this engine/);
  });

  it('issues 128-bit random ids, never the same twice', () => {
    const confirmations = createConfirmations();
    const ids = new Set(Array.from({ length: 50 }, () => confirmations.issue('flash', null).confirmationId));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('bindingDifference', () => {
  const bound = { image: { path: '/a.iso', sizeBytes: 10 }, targets: [{ device: '/dev/sdb', serial: '4C530001' }] };

  it('is null for the same plain data', () => {
    expect(bindingDifference(bound, structuredClone(bound))).toBeNull();
  });

  it('names the first field that changed, with both values', () => {
    const swapped = { ...bound, targets: [{ device: '/dev/sdb', serial: '4C530002' }] };
    expect(bindingDifference(bound, swapped)).toBe('targets[0].serial: "4C530001" -> "4C530002"');
    expect(bindingDifference(bound, { ...bound, targets: [] })).toBe('targets[0]: {"device":"/dev/sdb","serial":"4C530001"} -> undefined');
  });
});
