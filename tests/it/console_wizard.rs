//! The pool setup wizard, driven through the console (HTTP and Chromium).
