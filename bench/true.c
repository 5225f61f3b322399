/* bench/true.c - the payload: /bin/true as a static program of a few KiB. */
int main(void)
{
	return 0;
}
