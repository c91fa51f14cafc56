// The one API the engine uses beyond ES2022, present in Node.js and in browsers alike (util/sha256.ts).
// Only the engine's tsconfig.json reads this file; the root one has it from the DOM and Node.js types.
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
