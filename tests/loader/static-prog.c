/* static-prog.c - a statically linked program: `pmufc run` must refuse to
 * start it (the shim cannot be preloaded into it). */
int main(void)
{
    return 0;
}
