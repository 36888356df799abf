/**
 * @likeness/backends/testing — tools for plugin authors and package tests.
 */
export { expectNoLeaks } from './testing/expect-no-leaks';
