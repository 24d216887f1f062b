/* Linked into the release binary only (scripts/release.sh).
 *
 * glibc 2.35 gave hypot and hypotf a new symbol version (an errno fix), and the Swift runtime libraries linked in
 * statically call them, so a binary linked on Debian 12 (glibc 2.36) would refuse to start on glibc 2.34 (RHEL 9
 * and its rebuilds) for these two functions alone. Defined here, in the executable, they are what those calls bind
 * to; they compute through hypotl (same result, wider range; every glibc since 2.2.5 has it). Everything else the
 * binary uses exists in glibc 2.34. */

long double hypotl(long double x, long double y);

double hypot(double x, double y) { return (double)hypotl(x, y); }
float hypotf(float x, float y) { return (float)hypotl(x, y); }
