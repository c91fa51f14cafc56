// The version of the natlens binary: package.json's, put in by scripts/build.mjs; '0.0.0-dev' from sources.
declare const NATLENS_VERSION: string | undefined;
export const VERSION = typeof NATLENS_VERSION === 'string' ? NATLENS_VERSION : '0.0.0-dev';
