/** One form field of a JSON form: the name is the API's field path, so the API's `param` finds it. */
export interface FieldSpec {
  name: string;
  label: string;
  kind?: 'text' | 'textarea' | 'number' | 'select' | 'checkbox' | 'json' | 'list' | 'url' | 'tel';
  hint?: string;
  options?: Array<[string, string]>;
  min?: number;
  max?: number;
  step?: number;
  required?: boolean;
  /** Empty means null (clear it) rather than "leave as is". */
  nullable?: boolean;
}

export function valueAt(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

function display(spec: FieldSpec, v: unknown): string {
  if (v === null || v === undefined) return '';
  if (spec.kind === 'json') return JSON.stringify(v, null, 2);
  if (spec.kind === 'list' && Array.isArray(v)) return v.join(', ');
  return String(v);
}

const fieldId = (name: string) => `fld-${name.replaceAll('.', '-')}`;

export function Field({ spec, value }: { spec: FieldSpec; value?: unknown }) {
  const id = fieldId(spec.name);
  const hintId = spec.hint ? `${id}-hint` : undefined;
  const common = {
    id, name: spec.name, required: spec.required, 'aria-describedby': [hintId, `${id}-error`].filter(Boolean).join(' '),
    'data-type': spec.kind === 'json' || spec.kind === 'list' || spec.kind === 'number' || spec.kind === 'checkbox' ? (spec.kind === 'checkbox' ? 'boolean' : spec.kind) : undefined,
    'data-nullable': spec.nullable ? 'true' : undefined,
  };
  const text = display(spec, value);
  let control;
  switch (spec.kind) {
    case 'textarea':
    case 'json':
      control = <textarea {...common} rows={spec.kind === 'json' ? 5 : 4} class={spec.kind === 'json' ? 'mono' : undefined} spellcheck={spec.kind === 'json' ? false : undefined}>{text}</textarea>;
      break;
    case 'select':
      control = <select {...common}>{(spec.options ?? []).map(([v, l]) => <option value={v} selected={v === text}>{l}</option>)}</select>;
      break;
    case 'checkbox':
      control = <input {...common} type="checkbox" checked={value === true} />;
      break;
    case 'number':
      control = <input {...common} type="number" inputmode="decimal" value={text} min={spec.min} max={spec.max} step={spec.step ?? 'any'} />;
      break;
    default:
      control = <input {...common} type={spec.kind === 'url' ? 'url' : spec.kind === 'tel' ? 'tel' : 'text'} value={text} />;
  }
  return (
    <div class={`field${spec.kind === 'checkbox' ? ' checkbox' : ''}${spec.kind === 'textarea' || spec.kind === 'json' ? ' wide' : ''}`} data-field={spec.name}>
      {spec.kind === 'checkbox' ? <>{control}<label for={id}>{spec.label}</label></> : <><label for={id}>{spec.label}{spec.required ? <span aria-hidden="true"> *</span> : null}</label>{control}</>}
      {spec.hint ? <p id={hintId} class="hint">{spec.hint}</p> : null}
      <p id={`${id}-error`} class="field-error" hidden></p>
    </div>
  );
}
