export type ComponentType = 'N' | 'X' | 'Y' | 'Z';

export interface DictionaryComponent {
  type: ComponentType;
  minLength: number;
  maxLength: number;
  optional: boolean;
  linters: readonly string[];
}

export interface DictionaryEntry {
  /** First and last AI of the entry's range; equal for a single AI. */
  first: string;
  last: string;
  /** Not in the predefined-length list: a separator must follow unless it is last. */
  fnc1Required: boolean;
  dlDataAttribute: boolean;
  components: readonly DictionaryComponent[];
  /** One list per `req=` key; each is a list of alternatives; each alternative is AI patterns that must all be present. */
  req: readonly (readonly (readonly string[])[])[];
  ex: readonly string[];
  /** Digital Link primary key: alternative qualifier sequences, or null when the AI is not a primary key. */
  dlpkey: readonly (readonly string[])[] | null;
  title: string;
}
