import Foundation
import VestnikCore
import VestnikStore

// View models of the media library's newsroom pages.

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
