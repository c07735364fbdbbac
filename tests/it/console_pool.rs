//! A pool's console pages: app clients, users, settings, deletion.
