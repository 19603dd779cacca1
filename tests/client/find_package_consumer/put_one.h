#pragma once

// Puts one record to an endpoint where nothing listens (port 1) through the installed
// producer library; 0 when the record fails with a clear error: the library linked, ran its
// pipeline and reported the result. Built into a shared library, so that the test also
// shows the installed static libraries link into one.
int PutOneToNowhere();
