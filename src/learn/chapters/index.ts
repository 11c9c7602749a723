// Learn mode's chapters, in order (one file per chapter).
import type { Chapter } from '../types';
import { importance } from './01-importance';
import { candidates } from './02-candidates';
import { softMask } from './03-soft-mask';
import { loss } from './04-loss';
import { chaining } from './05-chaining';
import { allocation } from './06-allocation';

export const CHAPTERS: readonly Chapter[] = [importance, candidates, softMask, loss, chaining, allocation];
