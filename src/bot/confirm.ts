// The one confirmation step: 解绑, 解绑运营者 and the switches each ask for 确认 and then act.
import type { User } from '../store/schema.js'
import type { StepTurn } from './conversation.js'
import type { DialogStep } from './dialog.js'

type StepData<S extends DialogStep['step']> = Extract<DialogStep, { step: S }>['data']

/** The word every confirmation asks for (the texts quote it). */
const CONFIRM = '确认'

export interface ConfirmSpec<S extends DialogStep['step'], T> {
  /** What the question and the action need, read again at this turn from the step's data. */
  load: (data: StepData<S>) => Promise<T> | T
  /** The question, asked again for anything but 确认. */
  ask: (subject: T) => string
  /** Whether the sender may still do it (checked after 确认, at this moment); anyone known by default. */
  allowed?: (asker: User, subject: T) => boolean
  /** The reply when they may not (or are no known user). */
  refused: (subject: T) => string
  run: (asker: User, subject: T) => Promise<string>
}

/**
 * A step that waits for 确认: anything else asks the same question again (the step keeps its deadline);
 * 确认 ends the step, checks the sender again, then acts.
 */
export function confirmStep<S extends DialogStep['step'], T> (spec: ConfirmSpec<S, T>): (turn: StepTurn<S>) => Promise<string> {
  return async (turn) => {
    const subject = await spec.load(turn.dialog.data as StepData<S>)
    if (turn.text !== CONFIRM) return spec.ask(subject)
    turn.endDialog()
    const asker = turn.asker
    if (!asker || !(spec.allowed?.(asker, subject) ?? true)) return spec.refused(subject)
    return spec.run(asker, subject)
  }
}
