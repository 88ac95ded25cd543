// React's typings lack the (widely supported, non-standard) attribute that turns a file input into a folder picker.
import 'react';

declare module 'react' {
  // Declaration merging needs the exact type parameter name React uses, even though it is unused here.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface InputHTMLAttributes<T> {
    webkitdirectory?: string;
  }
}
