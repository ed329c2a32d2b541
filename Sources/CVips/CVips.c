// See CVips.h. The prototypes below are libvips' and GLib's own (vips/image.h, vips/resample.h, vips/conversion.h,
// vips/foreign.h, glib-object.h), declared here so no header of theirs is needed; images are opaque pointers.
#include "CVips.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

typedef void VipsImage;

// libvips' enums, by value (stable across 8.x).
enum { SIZE_DOWN = 2 };            // VipsSize: only ever shrink
// VipsFailOn: any decoder warning fails the job: a cut-short or corrupt file makes no rendition with a grey
// bottom half (it keeps being served as uploaded, and the newsroom is told).
enum { FAIL_ON_WARNING = 3 };
enum { FORMAT_USHORT = 2 };        // VipsBandFormat
enum { INTERESTING_ATTENTION = 3 };  // VipsInteresting

static struct {
    int (*init)(const char *argv0);
    const char *(*version_string)(void);
    void (*cache_set_max)(int);
    void (*concurrency_set)(int);
    void (*block_untrusted_set)(int);
    const char *(*error_buffer)(void);
    void (*error_clear)(void);
    void (*object_unref)(void *);
    int (*thumbnail)(const char *filename, VipsImage **out, int width, ...);
    int (*thumbnail_image)(VipsImage *in, VipsImage **out, int width, ...);
    VipsImage *(*copy_memory)(VipsImage *image);
    unsigned long (*get_typeof)(const VipsImage *image, const char *name);  // GType: 0 when the field is absent
    VipsImage *(*new_from_file)(const char *name, ...);
    int (*extract_area)(VipsImage *in, VipsImage **out, int left, int top, int width, int height, ...);
    int (*smartcrop)(VipsImage *in, VipsImage **out, int width, int height, ...);
    int (*write_to_file)(VipsImage *image, const char *name, ...);
    int (*black)(VipsImage **out, int width, int height, ...);
    const char *(*find_save)(const char *filename);
    int (*get_width)(const VipsImage *);
    int (*get_height)(const VipsImage *);
    int (*get_bands)(const VipsImage *);
    int (*get_format)(const VipsImage *);
    int (*get_n_pages)(VipsImage *);
    int (*orientation_swap)(VipsImage *);
    int (*copy)(VipsImage *in, VipsImage **out, ...);
    char **(*get_fields)(VipsImage *);
    int (*remove)(VipsImage *, const char *name);
    void (*strfreev)(char **);
} vips;

static pthread_once_t opened = PTHREAD_ONCE_INIT;
static const char *open_problem = "libvips was not looked for";
static char open_message[512];
// libvips keeps one error buffer for the whole process: two operations failing at once would mix or clear each
// other's messages. Operations here take turns (a node makes one rendition at a time anyway).
static pthread_mutex_t turns = PTHREAD_MUTEX_INITIALIZER;

#define FIND(field, name)                                                                                    \
    do {                                                                                                     \
        *(void **)(&vips.field) = dlsym(handle, name);                                                       \
        if (!vips.field) {                                                                                   \
            snprintf(open_message, sizeof open_message, "libvips.so.42 has no %s (too old a libvips)", name); \
            open_problem = open_message;                                                                     \
            return;                                                                                          \
        }                                                                                                    \
    } while (0)

static void open_once(void) {
    void *handle = dlopen("libvips.so.42", RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char *why = dlerror();
        snprintf(open_message, sizeof open_message, "%s", why ? why : "libvips.so.42 cannot be loaded");
        open_problem = open_message;
        return;
    }
    FIND(init, "vips_init");
    FIND(version_string, "vips_version_string");
    FIND(cache_set_max, "vips_cache_set_max");
    FIND(concurrency_set, "vips_concurrency_set");
    FIND(error_buffer, "vips_error_buffer");
    FIND(error_clear, "vips_error_clear");
    FIND(object_unref, "g_object_unref");  // GLib's, found through libvips' own dependencies
    FIND(thumbnail, "vips_thumbnail");
    FIND(thumbnail_image, "vips_thumbnail_image");
    FIND(copy_memory, "vips_image_copy_memory");
    FIND(get_typeof, "vips_image_get_typeof");
    FIND(new_from_file, "vips_image_new_from_file");
    FIND(extract_area, "vips_extract_area");
    FIND(smartcrop, "vips_smartcrop");
    FIND(write_to_file, "vips_image_write_to_file");
    FIND(black, "vips_black");
    FIND(find_save, "vips_foreign_find_save");
    FIND(get_width, "vips_image_get_width");
    FIND(get_height, "vips_image_get_height");
    FIND(get_bands, "vips_image_get_bands");
    FIND(get_format, "vips_image_get_format");
    FIND(get_n_pages, "vips_image_get_n_pages");
    FIND(orientation_swap, "vips_image_get_orientation_swap");
    FIND(copy, "vips_copy");
    FIND(get_fields, "vips_image_get_fields");
    FIND(remove, "vips_image_remove");
    FIND(strfreev, "g_strfreev");
    // Optional (libvips 8.13+): loaders of formats no newsroom sends (ImageMagick, Matlab, FITS…) stay off.
    *(void **)(&vips.block_untrusted_set) = dlsym(handle, "vips_block_untrusted_set");
    if (vips.init("vestnik") != 0) {
        snprintf(open_message, sizeof open_message, "vips_init failed: %s", vips.error_buffer());
        open_problem = open_message;
        return;
    }
    // No operation cache (it would keep decoded pictures alive between jobs), and one thread per rendition: the
    // caller decides how many run at once.
    vips.cache_set_max(0);
    vips.concurrency_set(1);
    if (vips.block_untrusted_set) vips.block_untrusted_set(1);
    open_problem = NULL;
}

const char *vestnik_vips_open(void) {
    pthread_once(&opened, open_once);
    return open_problem;
}

const char *vestnik_vips_version(void) { return vestnik_vips_open() ? "" : vips.version_string(); }

/// Copies libvips' error text and clears it (the caller holds `turns`).
static int fail(char *error, size_t size, const char *fallback) {
    const char *text = vips.error_buffer();
    snprintf(error, size, "%s", text && *text ? text : fallback);
    vips.error_clear();
    return -1;
}

static int can_save(const char *suffix) {
    char name[64];
    snprintf(name, sizeof name, "/tmp/x%s", suffix);
    if (!vips.find_save(name)) {
        vips.error_clear();
        return 0;
    }
    // A saver may be built in while its encoder is not (libheif without an AV1 encoder): encode to a buffer-less
    // temporary file to be sure.
    char path[] = "/tmp/vestnik-vips-probe-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return 0;
    close(fd);
    unlink(path);
    char target[128];
    snprintf(target, sizeof target, "%s%s", path, suffix);
    VipsImage *image = NULL;
    int ok = vips.black(&image, 16, 16, "bands", 3, NULL) == 0 && vips.write_to_file(image, target, NULL) == 0;
    if (image) vips.object_unref(image);
    unlink(target);
    vips.error_clear();
    return ok;
}

static int header(
    const char *input, int *width, int *height, int *pages, int *bands, int *bits, char *error, size_t error_size) {
    VipsImage *image = vips.new_from_file(input, NULL);
    if (!image) return fail(error, error_size, "cannot read the picture's header");
    int swap = vips.orientation_swap(image);
    *width = swap ? vips.get_height(image) : vips.get_width(image);
    *height = swap ? vips.get_width(image) : vips.get_height(image);
    *pages = vips.get_n_pages(image);
    *bands = vips.get_bands(image);
    *bits = vips.get_format(image) == FORMAT_USHORT ? 16 : 8;
    vips.object_unref(image);
    return 0;
}

static int starts_with(const char *text, const char *prefix) { return strncmp(text, prefix, strlen(prefix)) == 0; }

/// A copy of `image` without metadata: EXIF (the blob and the `exif-ifd…` fields a saver would rebuild it from),
/// XMP, IPTC, the colour profile (the pixels are sRGB already), comments. Savers' own "strip" is not enough: libvips
/// 8.14's WebP saver writes EXIF, GPS included, despite it.
static VipsImage *without_metadata(VipsImage *image) {
    VipsImage *copy = NULL;
    if (vips.copy(image, &copy, NULL) != 0) return NULL;
    char **fields = vips.get_fields(copy);
    for (char **field = fields; field && *field; field++) {
        const char *name = *field;
        if (starts_with(name, "exif-") || starts_with(name, "xmp-") || starts_with(name, "iptc-") ||
            starts_with(name, "icc-profile") || starts_with(name, "orientation") || strstr(name, "comment"))
            vips.remove(copy, name);
    }
    if (fields) vips.strfreev(fields);
    return copy;
}

static int ends_with(const char *text, const char *suffix) {
    size_t a = strlen(text), b = strlen(suffix);
    return a >= b && strcmp(text + a - b, suffix) == 0;
}

/// Shrinks the picture in the file `input` to fit the box (never enlarging it): vips_thumbnail, as vipsthumbnail
/// calls it: shrink-on-load where the format allows (JPEG, WebP), sequential access, the orientation tag applied,
/// colours to sRGB. A picture with an embedded colour profile is converted from it to sRGB through the profile
/// ("export_profile"); one without is sRGB already (or CMYK, which libvips' own fallback profile converts), and
/// asking for an sRGB export there would only send every pixel through XYZ and LittleCMS for no change (it made
/// Vestnik 0.67× as fast as vipsthumbnail). The caller holds `turns` and owns `*out`.
static int shrink_file(const char *input, int box_width, int box_height, VipsImage **out, char *error, size_t error_size) {
    VipsImage *head = vips.new_from_file(input, NULL);  // the header only: no pixel is decoded
    if (!head) return fail(error, error_size, "cannot read the picture's header");
    int profiled = vips.get_typeof(head, "icc-profile-data") != 0;
    vips.object_unref(head);
    int status = profiled ? vips.thumbnail(
                                input, out, box_width, "height", box_height, "size", SIZE_DOWN, "export_profile", "srgb",
                                "fail_on", FAIL_ON_WARNING, NULL)
                          : vips.thumbnail(
                                input, out, box_width, "height", box_height, "size", SIZE_DOWN, "fail_on",
                                FAIL_ON_WARNING, NULL);
    if (status != 0) return fail(error, error_size, "cannot shrink the picture");
    return 0;
}

/// The same from a picture decoded already (`decode`: upright and sRGB), without reading the file again.
static int shrink_picture(VipsImage *picture, int box_width, int box_height, VipsImage **out, char *error, size_t error_size) {
    if (vips.thumbnail_image(
            picture, out, box_width, "height", box_height, "size", SIZE_DOWN, "no_rotate", 1, NULL) != 0)
        return fail(error, error_size, "cannot shrink the picture");
    return 0;
}

/// Cuts `crop_*` out of `shrunk` (when `crop_width` > 0; clamped to it) and saves the result to `output` without
/// metadata. Does not take `shrunk`.
static int save(
    VipsImage *shrunk, const char *output, int crop_left, int crop_top, int crop_width, int crop_height, int quality,
    int *width, int *height, char *error, size_t error_size) {
    VipsImage *result = shrunk;
    VipsImage *cropped = NULL;
    if (crop_width > 0 && crop_height > 0) {
        int w = vips.get_width(shrunk), h = vips.get_height(shrunk);
        if (crop_width > w) crop_width = w;
        if (crop_height > h) crop_height = h;
        if (crop_left < 0) crop_left = 0;
        if (crop_top < 0) crop_top = 0;
        if (crop_left + crop_width > w) crop_left = w - crop_width;
        if (crop_top + crop_height > h) crop_top = h - crop_height;
        if (vips.extract_area(shrunk, &cropped, crop_left, crop_top, crop_width, crop_height, NULL) != 0)
            return fail(error, error_size, "cannot crop the picture");
        result = cropped;
    }
    VipsImage *clean = without_metadata(result);
    if (!clean) {
        if (cropped) vips.object_unref(cropped);
        return fail(error, error_size, "cannot copy the picture");
    }
    result = clean;
    int saved;
    if (ends_with(output, ".jpg"))
        saved = vips.write_to_file(result, output, "strip", 1, "Q", quality, "optimize_coding", 1, "interlace", 1, NULL);
    else if (ends_with(output, ".png"))
        saved = vips.write_to_file(result, output, "strip", 1, "compression", 6, NULL);
    else if (ends_with(output, ".avif"))
        saved = vips.write_to_file(result, output, "strip", 1, "Q", quality, "effort", 2, NULL);
    else
        saved = vips.write_to_file(result, output, "strip", 1, "Q", quality, NULL);
    *width = vips.get_width(result);
    *height = vips.get_height(result);
    vips.object_unref(clean);
    if (cropped) vips.object_unref(cropped);
    if (saved != 0) return fail(error, error_size, "cannot write the rendition");
    return 0;
}

/// One rendition from the file, or from a decoded `picture` when it is not NULL.
static int render(
    const char *input, VipsImage *picture, const char *output, int box_width, int box_height, int crop_left, int crop_top,
    int crop_width, int crop_height, int quality, int *width, int *height, char *error, size_t error_size) {
    VipsImage *shrunk = NULL;
    int status = picture ? shrink_picture(picture, box_width, box_height, &shrunk, error, error_size)
                         : shrink_file(input, box_width, box_height, &shrunk, error, error_size);
    if (status != 0) return status;
    status = save(shrunk, output, crop_left, crop_top, crop_width, crop_height, quality, width, height, error, error_size);
    vips.object_unref(shrunk);
    return status;
}

/// The whole picture shrunk to fit the box, decoded into memory once.
static int decode(
    const char *input, int box_width, int box_height, VipsImage **picture, int *width, int *height, char *error,
    size_t error_size) {
    VipsImage *shrunk = NULL;
    if (shrink_file(input, box_width, box_height, &shrunk, error, error_size) != 0) return -1;
    VipsImage *memory = vips.copy_memory(shrunk);  // runs the decode and the shrink
    vips.object_unref(shrunk);
    if (!memory) return fail(error, error_size, "cannot decode the picture");
    *width = vips.get_width(memory);
    *height = vips.get_height(memory);
    *picture = memory;
    return 0;
}

static int attention(const char *input, double *x, double *y, char *error, size_t error_size) {
    VipsImage *small = NULL;
    if (vips.thumbnail(input, &small, 256, "height", 256, "size", SIZE_DOWN, "export_profile", "srgb", NULL) != 0)
        return fail(error, error_size, "cannot shrink the picture");
    int w = vips.get_width(small), h = vips.get_height(small);
    VipsImage *crop = NULL;
    int ax = -1, ay = -1;
    // The crop's size does not move the point found; half the picture each way keeps the search cheap.
    int status = vips.smartcrop(
        small, &crop, w > 1 ? w / 2 : 1, h > 1 ? h / 2 : 1, "interesting", INTERESTING_ATTENTION, "attention_x", &ax,
        "attention_y", &ay, NULL);
    if (crop) vips.object_unref(crop);
    vips.object_unref(small);
    if (status != 0) return fail(error, error_size, "cannot find the picture's point of interest");
    if (ax < 0 || ay < 0 || w <= 0 || h <= 0) {
        snprintf(error, error_size, "libvips did not report the point of interest (8.14 or newer does)");
        return -1;
    }
    *x = (ax + 0.5) / w;
    *y = (ay + 0.5) / h;
    return 0;
}

int vestnik_vips_attention(const char *input, double *x, double *y, char *error, size_t error_size) {
    const char *problem = vestnik_vips_open();
    if (problem) {
        snprintf(error, error_size, "%s", problem);
        return -1;
    }
    pthread_mutex_lock(&turns);
    int status = attention(input, x, y, error, error_size);
    pthread_mutex_unlock(&turns);
    return status;
}

int vestnik_vips_header(
    const char *input, int *width, int *height, int *pages, int *bands, int *bits, char *error, size_t error_size) {
    const char *problem = vestnik_vips_open();
    if (problem) {
        snprintf(error, error_size, "%s", problem);
        return -1;
    }
    pthread_mutex_lock(&turns);
    int status = header(input, width, height, pages, bands, bits, error, error_size);
    pthread_mutex_unlock(&turns);
    return status;
}

int vestnik_vips_render(
    const char *input, const char *output, int box_width, int box_height, int crop_left, int crop_top, int crop_width,
    int crop_height, int quality, int *width, int *height, char *error, size_t error_size) {
    const char *problem = vestnik_vips_open();
    if (problem) {
        snprintf(error, error_size, "%s", problem);
        return -1;
    }
    pthread_mutex_lock(&turns);
    int status = render(
        input, NULL, output, box_width, box_height, crop_left, crop_top, crop_width, crop_height, quality, width, height,
        error, error_size);
    pthread_mutex_unlock(&turns);
    return status;
}

int vestnik_vips_decode(
    const char *input, int box_width, int box_height, vestnik_vips_picture **picture, int *width, int *height, char *error,
    size_t error_size) {
    const char *problem = vestnik_vips_open();
    if (problem) {
        snprintf(error, error_size, "%s", problem);
        return -1;
    }
    VipsImage *image = NULL;
    pthread_mutex_lock(&turns);
    int status = decode(input, box_width, box_height, &image, width, height, error, error_size);
    pthread_mutex_unlock(&turns);
    *picture = (vestnik_vips_picture *)image;
    return status;
}

int vestnik_vips_render_picture(
    vestnik_vips_picture *picture, const char *output, int box_width, int box_height, int crop_left, int crop_top,
    int crop_width, int crop_height, int quality, int *width, int *height, char *error, size_t error_size) {
    // A picture exists only after a successful open.
    pthread_mutex_lock(&turns);
    int status = render(
        NULL, (VipsImage *)picture, output, box_width, box_height, crop_left, crop_top, crop_width, crop_height, quality,
        width, height, error, error_size);
    pthread_mutex_unlock(&turns);
    return status;
}

void vestnik_vips_release(vestnik_vips_picture *picture) {
    if (picture) vips.object_unref((VipsImage *)picture);
}

int vestnik_vips_can_save(const char *suffix) {
    if (vestnik_vips_open()) return 0;
    pthread_mutex_lock(&turns);
    int status = can_save(suffix);
    pthread_mutex_unlock(&turns);
    return status;
}
