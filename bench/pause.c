/* bench/pause.c - the payload of the container that bench exec goes into. */
#include <unistd.h>

int main(void)
{
	for (;;)
		pause();
}
