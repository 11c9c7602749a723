// A Learn-mode chapter is data: text, which quantity on screen it explains, and what the live run
// should do so that quantity appears (docs/architecture.md §10; llm-viz walkthrough / transformer-explainer
// textbook pages). Rendering lives in src/ui/LearnPanel.tsx.
import type { LearnTarget } from '../store/uiStore';

export type ChapterAction =
  | { kind: 'none' }
  /** Start (paused) if idle, then run exactly `n` optimiser steps (default 1) and pause. */
  | { kind: 'step'; n?: number }
  /** Finish the current block (or run the next one) and pause. */
  | { kind: 'block' }
  /** Run to the end. */
  | { kind: 'run' };

export interface Chapter {
  id: string;
  title: string;
  /** Plain paragraphs; `code` spans are written with backticks. */
  body: string[];
  /** What to look at after the action (one sentence). */
  watch: string;
  highlight: Exclude<LearnTarget, null>;
  action: ChapterAction;
  actionLabel: string;
}
