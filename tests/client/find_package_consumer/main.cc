// The program find_package_consumer: see put_one.h.
#include "put_one.h"

int main() { return PutOneToNowhere(); }
