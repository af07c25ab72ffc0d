import * as React from 'react';
import { Layouts, Page } from '@strapi/strapi/admin';

type HeaderProps = React.ComponentProps<typeof Layouts.Header>;

/** A page's head as Strapi's own pages have it: the browser tab's title and the header, one title for both. */
export const PageHeader = ({ title, ...header }: HeaderProps & { title: string }) => (
  <>
    <Page.Title>{title}</Page.Title>
    <Layouts.Header title={title} {...header} />
  </>
);
