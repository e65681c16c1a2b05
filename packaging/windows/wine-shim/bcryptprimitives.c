/*
 * Test support for running the Windows exe under Wine in CI; never shipped in a package or
 * installer. Every Windows 10/11 has bcryptprimitives.dll. Wine 8 (Debian 12) does not, and
 * Rust's standard library (1.78+) imports ProcessPrng from it for random numbers (HashMap
 * seeds), so without this file the exe does not start under Wine.
 *
 * ProcessPrng fills the buffer with cryptographically random bytes and always returns TRUE
 * (Microsoft documents that it cannot fail). RtlGenRandom, exported by advapi32 as
 * SystemFunction036, is the older documented way to the same system generator; it takes at
 * most ULONG bytes a call, so larger requests go in chunks.
 *
 * Build: x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll bcryptprimitives.c -ladvapi32
 */
#include <windows.h>
#include <ntsecapi.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  while (len > 0) {
    ULONG chunk = len > 0x80000000u ? 0x80000000u : (ULONG)len;
    if (!RtlGenRandom(data, chunk)) {
      /* Real ProcessPrng cannot fail; a test run that cannot get randomness must stop loudly. */
      RaiseFailFastException(NULL, NULL, 0);
    }
    data += chunk;
    len -= chunk;
  }
  return TRUE;
}
