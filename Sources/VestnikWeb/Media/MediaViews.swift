import Foundation
import VestnikCore
import VestnikStore

// View models of the media library's newsroom pages.

/// One picture in the library's grid.
struct MediaCardView {
    var editURL: String
    var src: String
    var alt: String
    var caption: String?
    var credit: String?
    var fileName: String?
    var size: String
    var uploaded: String
    var uploader: String?
    var hash: String
    /// The notices that the scrubber took location, or other metadata, out of the file.
    var locationRemoved: String?
    var metadataRemoved: String?
}

/// The words of the upload form, as typed, so a refused upload loses nothing.
struct MediaWordsView {
    var alt: String = ""
    var caption: String = ""
    var credit: String = ""
}

struct MediaLibraryPage {
    var layout: NewsroomLayout
    var csrf: String
    var query: String
    var items: [MediaCardView]
    var empty: Bool
    var nextURL: String?
    var firstURL: String?
    var words: MediaWordsView
    var message: String?
    var info: String?
    /// "10 MB", for the form's hint.
    var maxSize: String
    var maxBytes: Int
    /// Why renditions are off (libvips missing), or nil.
    var renditionsOff: String? = nil
}

/// Where a picture's renditions stand, on its page.
struct MediaRenditionsView {
    var status: String
    /// The status is a problem (failed, or renditions off).
    var problem: Bool
    /// libvips' own words when it failed.
    var detail: String?
    var files: [MediaRenditionFileView]
}

/// One rendition: `WebP 640×480 · 34 KB`, and its address.
struct MediaRenditionFileView {
    var label: String
    var url: String
}

struct MediaEditPage {
    var layout: NewsroomLayout
    var csrf: String
    var item: MediaCardView
    var action: String
    var words: MediaWordsView
    /// Only the uploader or an editor changes the words; the others see them, and `readOnly` says why.
    var mayEdit: Bool
    var readOnly: String?
    var message: String?
    var info: String?
    var address: String
    var renditions: MediaRenditionsView? = nil
    var focus: MediaFocusView? = nil
}

/// The focal point (in percent of the width and height, for the form and the marker) and the crops made around it.
struct MediaFocusView {
    var action: String
    var src: String
    var x: String
    var y: String
    var mayEdit: Bool
    var crops: [MediaCropView]
}

/// One crop's preview: `16×9 · 1200×675`.
struct MediaCropView {
    var label: String
    var src: String
    var width: Int
    var height: Int
}

/// What the editor's picker and its upload button read (JSON).
struct MediaPickerItem: Encodable {
    var hash: String
    var src: String
    var alt: String
    var caption: String
    var credit: String
    var width: Int
    var height: Int

    init(_ item: MediaItem) {
        hash = item.address.hash
        src = item.address.path
        alt = item.alt
        caption = item.caption
        credit = item.credit
        width = item.width
        height = item.height
    }
}

struct MediaPickerPage: Encodable {
    var items: [MediaPickerItem]
    var next: String?
}
