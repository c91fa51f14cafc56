// Entry point of the natlens binary.
import { main } from './main';

process.exitCode = main(process.argv.slice(2));
