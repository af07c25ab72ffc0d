import * as React from 'react';
import { Field } from '@strapi/design-system';

export interface FormFieldProps {
  name: string;
  label: string;
  hint?: React.ReactNode;
  error?: string;
  required?: boolean;
  children: React.ReactNode;
}

/** Label, input, help text and error of one profile field, wired for screen readers by Field. */
export const FormField = ({ name, label, hint, error, required, children }: FormFieldProps) => (
  <Field.Root name={name} hint={hint} error={error} required={required}>
    <Field.Label>{label}</Field.Label>
    {children}
    <Field.Hint />
    <Field.Error />
  </Field.Root>
);
