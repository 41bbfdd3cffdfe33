// Writes dlib's built-in HOG frontal face detector in dlib's plain serialised form.
// The detector ships inside dlib's header as a compressed base64 string; this program lets dlib decode it
// and serialises the resulting object, so Pivot never needs dlib's decompressor (specs/align.md §1).
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/serialize.h>
#include <iostream>

int main(int argc, char** argv) {
    if (argc != 2) { std::cerr << "usage: " << argv[0] << " OUTPUT.dat\n"; return 2; }
    dlib::frontal_face_detector detector = dlib::get_frontal_face_detector();
    dlib::serialize(argv[1]) << detector;
    return 0;
}
