add_container_image(img CA_CERTIFICATES company-ca.pem "")
