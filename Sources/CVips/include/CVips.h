// libvips, reached at run time: nothing of libvips is needed to build Vestnik, and a machine without it runs the
// site with renditions off. libvips' C API is mostly variadic (options as name/value pairs ending in NULL), which
// Swift cannot call, so these few functions call it with fixed arguments.
#ifndef VESTNIK_CVIPS_H
#define VESTNIK_CVIPS_H

#include <stddef.h>

/// Loads libvips.so.42 and starts it (once; later calls return the first answer). NULL when it is ready, else why
/// not (a static string, valid for the life of the process).
const char *vestnik_vips_open(void);

/// libvips' version, e.g. "8.14.1"; "" before a successful open.
const char *vestnik_vips_version(void);

/// 1 when libvips has a saver for files ending in `suffix` (".avif", ".webp") and it can encode a small image.
int vestnik_vips_can_save(const char *suffix);

/// What a picture's header says, without decoding its pixels: its size as shown (orientation applied), its number of
/// pages or frames, bands and bits a sample. 0, or -1 with the reason in `error`.
int vestnik_vips_header(
    const char *input, int *width, int *height, int *pages, int *bands, int *bits, char *error, size_t error_size);

/// One rendition of `input` written to `output` (the format from its suffix): shrunk (never enlarged) to fit
/// `box_width`×`box_height` with its orientation applied and its colours in sRGB, then, when `crop_width` > 0, the
/// rectangle `crop_*` of that (in its pixels, clamped to it), saved without metadata at `quality`. The result's size in
/// `width` and `height`. Fails on any damage in the file (a cut-short JPEG too). 0, or -1 with the reason in `error`.
int vestnik_vips_render(
    const char *input, const char *output, int box_width, int box_height, int crop_left, int crop_top, int crop_width,
    int crop_height, int quality, int *width, int *height, char *error, size_t error_size);

/// A picture decoded into memory by `vestnik_vips_decode`, to make several renditions from without reading and
/// decoding its file again for each.
typedef struct vestnik_vips_picture vestnik_vips_picture;

/// Decodes `input` once into memory, shrunk (never enlarged) to fit `box_width`×`box_height`, orientation applied,
/// colours in sRGB, as `vestnik_vips_render` shrinks it. Its size in `width` and `height`; release it with
/// `vestnik_vips_release`. It holds width × height × bands bytes. 0, or -1 with the reason in `error`.
int vestnik_vips_decode(
    const char *input, int box_width, int box_height, vestnik_vips_picture **picture, int *width, int *height, char *error,
    size_t error_size);

/// `vestnik_vips_render` from a decoded picture instead of a file: shrunk from it to fit the box (never enlarged).
int vestnik_vips_render_picture(
    vestnik_vips_picture *picture, const char *output, int box_width, int box_height, int crop_left, int crop_top,
    int crop_width, int crop_height, int quality, int *width, int *height, char *error, size_t error_size);

/// Frees a decoded picture (NULL does nothing).
void vestnik_vips_release(vestnik_vips_picture *picture);

/// Where libvips' attention finder (vips_smartcrop with VIPS_INTERESTING_ATTENTION: skin tones, saturated colour,
/// edges) sees the most interest in `input`, as fractions of its width and height as shown (0…1 from the top left),
/// looked for in a copy shrunk to fit 256×256. 0, or -1 with the reason in `error` (libvips older than 8.14 does not
/// report the point).
int vestnik_vips_attention(const char *input, double *x, double *y, char *error, size_t error_size);

#endif
