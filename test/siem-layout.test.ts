import { describe, expect, it } from 'vitest';
import * as layout from '../src/siem/layout';
import scanModule from '../src/siem/json-scan.wasm';

/** The compiled scanner's own view of the memory layout (assembly/json-scan.ts `layout`). */
function wasmLayout(): (which: number) => number {
  const instance = new WebAssembly.Instance(scanModule, {
    env: {
      rewrite: () => -1,
      abort: () => {
        throw new Error('json-scan: aborted');
      },
    },
  });
  return (instance.exports as unknown as { layout(which: number): number }).layout;
}

describe('the SIEM scanner memory layout', () => {
  it('both sides agree on the shape record, its flags and the class tables', () => {
    const read = wasmLayout();
    expect({
      shapeSize: read(0),
      keepRest: read(1),
      keptAsItIs: read(2),
      minOne: read(3),
      kept: read(4),
      nibblesAfterThen: read(5),
    }).toEqual({
      shapeSize: layout.SHAPE_SIZE,
      keepRest: layout.KEEP_REST,
      keptAsItIs: layout.KEPT_AS_IT_IS,
      minOne: layout.MIN_ONE,
      kept: layout.KEPT,
      nibblesAfterThen: layout.NIBBLES_AT - layout.THEN_AT,
    });
    // The shape record holds ten u32 fields.
    expect(layout.SHAPE_SIZE).toBe(10 * 4);
  });

  it('the output keeps room for the bytes the scanner writes past its end', () => {
    expect(layout.OUTPUT_SLACK).toBeGreaterThan(wasmLayout()(6));
  });

  it('the areas do not overlap and fit the memory the rewriter grows to', () => {
    expect(layout.TABLES + 3 * layout.CLASS_SIZE).toBeLessThanOrEqual(layout.SETTINGS);
    expect(layout.NIBBLES_AT + 16).toBeLessThanOrEqual(layout.CLASS_SIZE);
    expect(layout.TEXTS_AT).toBeLessThan(layout.SETTINGS_SIZE);
    expect(layout.SETTINGS + layout.SETTINGS_SIZE).toBeLessThanOrEqual(layout.INPUT);
    expect(layout.INPUT + layout.INPUT_SIZE).toBeLessThanOrEqual(layout.OUTPUT);
    expect(Number.isInteger(layout.MEMORY_PAGES)).toBe(true);
    expect(layout.MEMORY_PAGES * layout.PAGE).toBe(layout.OUTPUT + layout.OUTPUT_SIZE);
  });
});
